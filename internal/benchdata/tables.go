package benchdata

// The words addresses and names are made of. Street names avoid words that
// are also suffixes, directionals or unit designators, so that every
// address reads one way.

var streets = []string{
	"Main", "Oak", "Maple", "Cedar", "Elm", "Pine", "Walnut", "Chestnut", "Spruce", "Willow",
	"Birch", "Hickory", "Magnolia", "Dogwood", "Sycamore", "Poplar", "Laurel", "Juniper", "Aspen", "Cypress",
	"Washington", "Lincoln", "Jefferson", "Madison", "Monroe", "Adams", "Jackson", "Franklin", "Grant", "Hamilton",
	"Kennedy", "Roosevelt", "Wilson", "Harrison", "Cleveland", "Garfield", "Pierce", "Taylor", "Tyler", "Polk",
	"Sunset", "Highland", "Lakeview", "Fairview", "Riverside", "Hillcrest", "Woodland", "Meadowbrook", "Briarwood", "Glenwood",
	"Church", "School", "Mill", "Market", "Water", "Front", "Bridge", "Railroad", "Depot", "Academy",
	"Martin Luther King Jr", "Lake Shore", "Old Mill", "Country Club", "Peachtree", "Cherry Blossom", "Ponce De Leon", "El Camino Real", "Saint Charles", "Red Oak",
	"Indian Creek", "Bear Creek", "Quail Hollow", "Fox Chase", "Deer Run", "Stone Gate", "Wild Rose", "Silver Lake", "Blue Ridge", "Green Acres",
	"Cambridge", "Oxford", "Princeton", "Yale", "Stanford", "Dartmouth", "Bristol", "Windsor", "Kingston", "Lexington",
	"Colonial", "Heritage", "Liberty", "Independence", "Constitution", "Union", "Commerce", "Industrial", "Technology", "Corporate",
	"Alder", "Beech", "Hawthorn", "Holly", "Ivy", "Linden", "Mulberry", "Redwood", "Sequoia", "Tamarack",
	"Carver", "Douglass", "Tubman", "Chavez", "Parks", "Lewis", "Edison", "Fulton", "Morse", "Whitney",
}

// Suffixes as feeds write them: spelled out, abbreviated, with a period.
var suffixes = []string{
	"Street", "St", "St.", "ST", "Avenue", "Ave", "Ave.", "Av", "Road", "Rd", "Rd.",
	"Drive", "Dr", "Dr.", "Lane", "Ln", "Court", "Ct", "Boulevard", "Blvd", "Blvd.",
	"Place", "Pl", "Way", "Parkway", "Pkwy", "Circle", "Cir", "Terrace", "Ter", "Trail", "Trl",
	"Square", "Sq", "Loop", "Pike", "Alley", "Crossing", "Xing", "Path", "Walk", "Row", "Highway", "Hwy",
}

var dirs = []string{"N", "S", "E", "W", "NE", "NW", "SE", "SW", "North", "South", "East", "West", "N.", "S.", "E.", "W.", "Northwest", "Southeast"}

var postDirs = []string{"N", "S", "E", "W", "NE", "NW", "SE", "SW"}

var units = []string{"Apt", "Apt", "Apt.", "Apartment", "Unit", "Unit", "#", "Ste", "Suite", "Rm", "Fl", "Lot"}

var poBoxes = []string{"PO Box", "P.O. Box", "P O Box", "Post Office Box", "PO BOX", "POB", "Box"}

var routes = []string{"RR", "Rural Route", "RR", "HC", "R.R."}

// Cities, their states and a ZIP code of each.
var places = [][3]string{
	{"New York", "NY", "10001"}, {"Brooklyn", "NY", "11201"}, {"Bronx", "NY", "10451"}, {"Buffalo", "NY", "14201"}, {"Rochester", "NY", "14604"},
	{"Los Angeles", "CA", "90012"}, {"San Diego", "CA", "92101"}, {"San Jose", "CA", "95113"}, {"San Francisco", "CA", "94103"}, {"Fresno", "CA", "93721"},
	{"Sacramento", "CA", "95814"}, {"Oakland", "CA", "94612"}, {"Long Beach", "CA", "90802"}, {"Bakersfield", "CA", "93301"}, {"Riverside", "CA", "92501"},
	{"Chicago", "IL", "60611"}, {"Springfield", "IL", "62704"}, {"Peoria", "IL", "61602"}, {"Rockford", "IL", "61101"}, {"Naperville", "IL", "60540"},
	{"Houston", "TX", "77002"}, {"San Antonio", "TX", "78205"}, {"Dallas", "TX", "75201"}, {"Austin", "TX", "78701"}, {"Fort Worth", "TX", "76102"},
	{"El Paso", "TX", "79901"}, {"Corpus Christi", "TX", "78401"}, {"Lubbock", "TX", "79401"}, {"Plano", "TX", "75074"}, {"Laredo", "TX", "78040"},
	{"Phoenix", "AZ", "85004"}, {"Tucson", "AZ", "85701"}, {"Mesa", "AZ", "85201"}, {"Philadelphia", "PA", "19103"}, {"Pittsburgh", "PA", "15222"},
	{"Allentown", "PA", "18101"}, {"Jacksonville", "FL", "32202"}, {"Miami", "FL", "33130"}, {"Tampa", "FL", "33602"}, {"Orlando", "FL", "32801"},
	{"Saint Petersburg", "FL", "33701"}, {"Tallahassee", "FL", "32301"}, {"Columbus", "OH", "43215"}, {"Cleveland", "OH", "44113"}, {"Cincinnati", "OH", "45202"},
	{"Toledo", "OH", "43604"}, {"Akron", "OH", "44308"}, {"Indianapolis", "IN", "46204"}, {"Fort Wayne", "IN", "46802"}, {"Charlotte", "NC", "28202"},
	{"Raleigh", "NC", "27601"}, {"Greensboro", "NC", "27401"}, {"Durham", "NC", "27701"}, {"Seattle", "WA", "98101"}, {"Spokane", "WA", "99201"},
	{"Tacoma", "WA", "98402"}, {"Denver", "CO", "80202"}, {"Colorado Springs", "CO", "80903"}, {"Aurora", "CO", "80012"}, {"Boston", "MA", "02108"},
	{"Worcester", "MA", "01608"}, {"Springfield", "MA", "01103"}, {"Detroit", "MI", "48226"}, {"Grand Rapids", "MI", "49503"}, {"Lansing", "MI", "48933"},
	{"Nashville", "TN", "37203"}, {"Memphis", "TN", "38103"}, {"Knoxville", "TN", "37902"}, {"Chattanooga", "TN", "37402"}, {"Portland", "OR", "97201"},
	{"Salem", "OR", "97301"}, {"Eugene", "OR", "97401"}, {"Las Vegas", "NV", "89101"}, {"Reno", "NV", "89501"}, {"Baltimore", "MD", "21202"},
	{"Milwaukee", "WI", "53202"}, {"Madison", "WI", "53703"}, {"Albuquerque", "NM", "87102"}, {"Santa Fe", "NM", "87501"}, {"Kansas City", "MO", "64106"},
	{"Saint Louis", "MO", "63101"}, {"St. Louis", "MO", "63103"}, {"Omaha", "NE", "68102"}, {"Lincoln", "NE", "68508"}, {"Atlanta", "GA", "30303"},
	{"Savannah", "GA", "31401"}, {"Augusta", "GA", "30901"}, {"Minneapolis", "MN", "55401"}, {"Saint Paul", "MN", "55101"}, {"Duluth", "MN", "55802"},
	{"New Orleans", "LA", "70112"}, {"Baton Rouge", "LA", "70801"}, {"Shreveport", "LA", "71101"}, {"Wichita", "KS", "67202"}, {"Topeka", "KS", "66603"},
	{"Louisville", "KY", "40202"}, {"Lexington", "KY", "40507"}, {"Oklahoma City", "OK", "73102"}, {"Tulsa", "OK", "74103"}, {"Birmingham", "AL", "35203"},
	{"Montgomery", "AL", "36104"}, {"Mobile", "AL", "36602"}, {"Little Rock", "AR", "72201"}, {"Jackson", "MS", "39201"}, {"Des Moines", "IA", "50309"},
	{"Cedar Rapids", "IA", "52401"}, {"Salt Lake City", "UT", "84101"}, {"Provo", "UT", "84601"}, {"Boise", "ID", "83702"}, {"Hartford", "CT", "06103"},
	{"New Haven", "CT", "06510"}, {"Providence", "RI", "02903"}, {"Newark", "NJ", "07102"}, {"Jersey City", "NJ", "07302"}, {"Trenton", "NJ", "08608"},
	{"Richmond", "VA", "23219"}, {"Virginia Beach", "VA", "23451"}, {"Norfolk", "VA", "23510"}, {"Washington", "DC", "20001"}, {"Wilmington", "DE", "19801"},
	{"Charleston", "SC", "29401"}, {"Columbia", "SC", "29201"}, {"Charleston", "WV", "25301"}, {"Manchester", "NH", "03101"}, {"Burlington", "VT", "05401"},
	{"Portland", "ME", "04101"}, {"Anchorage", "AK", "99501"}, {"Honolulu", "HI", "96813"}, {"Billings", "MT", "59101"}, {"Fargo", "ND", "58102"},
	{"Sioux Falls", "SD", "57104"}, {"Cheyenne", "WY", "82001"}, {"San Juan", "PR", "00901"}, {"Ponce", "PR", "00716"}, {"Bayamon", "PR", "00961"},
}

var stateNames = map[string]string{
	"AK": "Alaska", "AL": "Alabama", "AR": "Arkansas", "AZ": "Arizona", "CA": "California", "CO": "Colorado", "CT": "Connecticut",
	"DC": "District of Columbia", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "IA": "Iowa", "ID": "Idaho",
	"IL": "Illinois", "IN": "Indiana", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "MA": "Massachusetts", "MD": "Maryland",
	"ME": "Maine", "MI": "Michigan", "MN": "Minnesota", "MO": "Missouri", "MS": "Mississippi", "MT": "Montana", "NC": "North Carolina",
	"ND": "North Dakota", "NE": "Nebraska", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NV": "Nevada", "NY": "New York",
	"OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina",
	"SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VA": "Virginia", "VT": "Vermont", "WA": "Washington",
	"WI": "Wisconsin", "WV": "West Virginia", "WY": "Wyoming",
}

var firstNames = []string{
	"Mary", "James", "Patricia", "John", "Jennifer", "Robert", "Linda", "Michael", "Elizabeth", "William",
	"Barbara", "David", "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas", "Karen", "Charles",
	"Maria", "Jose", "Ana", "Luis", "Carmen", "Juan", "Rosa", "Carlos", "Wei", "Li",
	"Mei", "Hiroshi", "Yuki", "Fatima", "Omar", "Aisha", "Mohammed", "Priya", "Raj", "Anjali",
	"Olga", "Ivan", "Natasha", "Chinedu", "Ngozi", "Kwame", "Grace", "Emmanuel", "Thi", "Minh",
	"Noah", "Emma", "Liam", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Ethan", "Lucas",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Nguyen", "Tran", "Kim", "Park", "Chen", "Wang", "Patel", "Shah", "Okafor", "Adeyemi",
	"Kowalski", "Nowak", "O'Brien", "O'Connor", "McCarthy", "Haddad", "Khoury", "Cohen", "Levy", "Rossi",
	"Russo", "Schmidt", "Muller", "Novak", "Ivanova", "Petrov", "Yamamoto", "Tanaka", "Singh", "Kaur",
	"De La Cruz", "Van Buren", "St. John", "Del Rio", "MacDonald", "Fitzgerald", "Washington", "Jefferson", "Brooks", "Reyes",
}
