package address_test

import (
	"testing"

	"github.com/printgate/printgate/address"
)

func TestSameName(t *testing.T) {
	tests := []struct {
		printed, onFile string
		want            bool
		reason          string
	}{
		{"ADA LOVELACE", "Ada Lovelace", true, "case"},
		{"Ada  Lovelace.", "ADA LOVELACE", true, "spacing and punctuation"},
		{"Lovelace, Ada", "Ada Lovelace", true, "LAST, FIRST order"},
		{"A Lovelace", "Ada Lovelace", true, "given name as its initial"},
		{"A. Lovelace", "Ada King Lovelace", true, "initial, middle name left out"},
		{"Ada K Lovelace", "Ada King Lovelace", true, "middle initial"},
		{"Ada King Lovelace", "Ada Lovelace", true, "middle name on one side only"},
		{"Mrs. Ada Lovelace", "Ada Lovelace", true, "honorific"},
		{"Walter W. Witherspoon Jr.", "WALTER WITHERSPOON", true, "generational suffix (Pub 28 222)"},
		{"Witherspoon, Jr., Walter", "Walter Witherspoon", true, "suffix after the comma"},
		{"Walter Witherspoon Jr.", "WALTER WITHERSPOON JR", true, "the same generational suffix"},
		{"John Smith Jr", "John Smith Sr", false, "a son is not his father, who may share his address"},
		{"John Smith Jr Sr", "John Smith", false, "two generations: the son and the father"},
		{"John Smith Jr Jr", "John Smith Jr", true, "a suffix written twice"},
		{"John Smith Mary Smith", "John Smith", false, "the surname twice, a name between: two people"},
		{"Smith, John Mary Smith", "John Smith", false, "the same, LAST, FIRST"},
		{"Maria Garcia Garcia", "Maria Garcia", true, "a surname doubled (GARCIA GARCIA)"},
		{"Thomas James Thomas", "Thomas James Thomas", true, "a given name that is the surname"},
		{"John Smith (Mary Smith)", "John Smith", false, "a second name in parentheses"},
		{"Robert (Bob) Smith", "Robert Smith", false, "a nickname in parentheses, held as a second name may be"},
		{`John Smith\Mary Smith`, "John Smith", false, "a backslash joins two names as a slash does"},
		{"Smith, John, Sr.", "JOHN SMITH JR", false, "father and son, LAST, FIRST order"},
		{"Smith Jr, John", "John Smith Sr.", false, "the suffix with the surname"},
		{"John Smith II", "John Smith III", false, "different generations"},
		{"John Smith Jr", "John Smith II", false, "JR and II are written for different men"},
		{"John V Smith", "John Smith III", true, "V, a middle initial as often as a suffix, is no generation"},
		{"John Smith, Jr.", "JOHN SMITH JR", true, "a suffix after a comma, no LAST, FIRST"},
		{"John Smith, Jr.", "JOHN SMITH SR", false, "a suffix after a comma, the father"},
		{"John Smith, MD", "JOHN SMITH", true, "a credential after a comma"},
		{"John Smith, Jr., Esq.", "John A Smith", true, "a suffix and a credential after commas"},
		{"John Smith Junior", "JOHN SMITH JR", true, "JUNIOR written out"},
		{"John Smith Junior", "JOHN SMITH SR", false, "JUNIOR written out, the father"},
		{"John Smith Senior", "JOHN SMITH", true, "SENIOR written out, on one side only"},
		{"Jose da Silva Junior", "JOSE DA SILVA", true, "JUNIOR, a suffix on one side only"},
		{"Junior Smith", "J SMITH", true, "JUNIOR, a given name"},
		{"Smith, Junior", "JUNIOR SMITH", true, "JUNIOR after a comma, a given name"},
		{"Junior Smith", "JOHN SMITH", false, "JUNIOR, a given name, not JOHN"},
		{"John Smith 3rd", "JOHN SMITH III", true, "3RD is III"},
		{"John Smith 2nd", "JOHN SMITH III", false, "2ND is II, not III"},
		{"John Smith 4th", "JOHN SMITH IV", true, "4TH is IV"},
		{"Smith, Jr", "JOHN SMITH", false, "a surname and a suffix: no given name"},
		{"Smith", "SMITH", false, "one word, the same: a surname alone proves no one"},
		{"Smith", "Smith", false, "one word, written the same"},
		{"Smith,", "SMITH,", false, "a surname and a comma, the same: no given name"},
		{"To the parent or guardian of Mary Care", "MARY CARE", true, "CARE, a surname, last: no care-of"},
		{"Estate of John Smith Sr", "John Smith Jr", false, "an estate of another generation"},
		{"Mary O'Brien", "MARY OBRIEN", true, "apostrophe"},
		{"Ann Smith Jones", "Ann Smith-Jones", true, "part of a hyphenated surname"},
		{"José García", "JOSE GARCIA", true, "accents dropped"},
		{"JOSÉ GARCÍA", "José García", true, "accents kept, upper case"},
		{"Zoë Müller-Łukasik", "ZOE MULLER-LUKASIK", true, "accents of Latin-1 and Extended-A"},
		{"Jörg Strauß", "Jorg Strauss", true, "sharp s spelled out"},
		{"Ægir Þórsson", "AEGIR THORSSON", true, "ligature and thorn spelled out"},
		{"José García", "Josa Garcia", false, "a different letter is not an accent"},
		{"Zoë Müller", "Zoë Möller", false, "different vowels, accents and all"},
		{"Иван Петров", "ИВАН ПЕТРОВ", true, "Cyrillic, case"},
		{"Иван Петров", "ИВАН СИДОРОВ", false, "Cyrillic, another surname"},
		{"Иван Петров", "IVAN PETROV", false, "no transliteration: another script is another name"},
		{"Σωκράτης Παππάς", "ΣΩΚΡΆΤΗΣ ΠΑΠΠΆΣ", true, "Greek, case and the final sigma"},
		{"李 小龍", "李 小龍", true, "Han characters"},
		{"-Smith-, -John-", "JOHN SMITH", true, "hyphens around words"},
		{", John", "JOHN SMITH", false, "a comma with no surname before it"},
		{"Mr, John", "JOHN SMITH", false, "an honorific where the surname goes"},
		{"MaryAnn Smith", "Mary Ann Smith", true, "a given name written as one word or two"},
		{"Sarah DeLaCruz", "SARAH DE LA CRUZ", true, "a surname written as one word or three"},
		{"De La Cruz, Sarah", "Sarah Dela-Cruz", true, "a surname split otherwise, LAST, FIRST order"},
		{"Mary Ann Smyth", "MaryAnn Smith", false, "the same split, other letters"},
		{"Lovelace,", "LOVE LACE,", false, "a surname alone, however split, proves nothing"},
		{"Ann Smith Mary", "Mary Ann Smith", false, "the same words, another order"},
		{"Ada Byron", "Ada Lovelace", false, "different surname"},
		{"Anne Lovelace", "Ada Lovelace", false, "different given name"},
		{"B Lovelace", "Ada Lovelace", false, "different initial"},
		{"Ada Kay Lovelace", "Ada King Lovelace", false, "different middle names"},
		{"Maria Ana Lopez Garcia", "Maria Ana Perez Garcia", false, "a second middle name differs"},
		{"Jose de la Cruz", "Jose de Ma Cruz", false, "a particle of the name differs"},
		{"John Paul George Smith", "John Paul Smith", true, "a second middle name on one side only"},
		{"John P G Smith", "John Paul George Smith", true, "middle names as initials"},
		{"Lovelace", "Ada Lovelace", false, "surname alone proves nothing"},
		{"", "Ada Lovelace", false, "no printed name"},
		{"Ada Lovelace", "", false, "no name on file"},
		{"Jones Smith", "Smith Jones", false, "given and surname swapped"},
		{"PARENT OR GUARDIAN OF JANE DOE", "Jane Doe", true, "a minor's parent or guardian"},
		{"To the Parent/Guardian of Jane Doe", "DOE, JANE", true, "a minor's parent or guardian, another spelling"},
		{"To the parents or guardians of Jane Doe", "Jane Doe", true, "plural"},
		{"Parent or Guardian of Mary Doe", "Jane Doe", false, "another child's parent"},
		{"Parent or Guardian", "Jane Doe", false, "a title alone names no one"},
		{"Estate of John Smith", "John Smith", true, "a deceased member's estate"},
		{"Jane Doe c/o Mary Smith", "Jane Doe", true, "care of another person"},
		{"Doe, Jane, C/O Smith", "Jane Doe", true, "care of, LAST, FIRST order"},
		{"Jane Doe, c/o Mary Smith", "Jane Doe", true, "care of, after a comma"},
		{"Estate of John Smith, c/o Mary Smith", "John Smith", true, "an estate, care of"},
		{"Mary Smith c/o Jane Doe", "Jane Doe", false, "another person, care of the member"},
		{"C/O Jane Doe", "Jane Doe", false, "care of the member, addressed to no one"},
		{"Jane Doe Care Of Mary Smith", "Jane Doe", true, "care of, spelled out"},
		{"John and Mary Smith", "John Smith", false, "two people"},
		{"John & Mary Smith", "John Smith", false, "two people, ampersand"},
		{"Mr. & Mrs. John Smith", "John Smith", false, "a couple"},
		{"John or Mary Smith", "John Smith", false, "either of two people"},
		{"Or Cohen", "OR COHEN", true, "OR as a given name"},
		{"Andrew Orr", "ANDREW ORR", true, "AND and OR inside words"},
		{"John Of Gaunt", "John of Gaunt", true, "OF in a name"},
		{"J. of Gaunt", "John of Gaunt", true, "OF in a name, an initial"},
		{"Ann Orr", "ANNE ORR", false, "another given name, OR in a surname"},
		// A slash or a semicolon joins two people as AND does.
		{"John/Mary Smith", "John Smith", false, "two people, slash"},
		{"John / Mary Smith", "John Smith", false, "two people, slash between spaces"},
		{"Mr/Mrs John Smith", "John Smith", false, "a couple, slash"},
		{"Mr./Mrs. John Smith", "John Smith", false, "a couple, slash and periods"},
		{"John Smith/Mary Smith", "John Smith", false, "two full names, slash"},
		{"John Smith; Mary Smith", "John Smith", false, "two full names, semicolon"},
		{"John;Mary Smith", "John Smith", false, "two people, semicolon"},
		{"Smith, John/Mary", "John Smith", false, "two people, LAST, FIRST order"},
		{"John Smith w/ Mary Smith", "John Smith", false, "with another person"},
		{"John Smith W/Mary Smith", "John Smith", false, "with another person, no space"},
		{"John Smith/", "John Smith", false, "a slash at the end: the second name cut off"},
		{"John Smith;", "John Smith", false, "a semicolon at the end: the second name cut off"},
		{"To the Parent / Guardian of Jane Doe", "Jane Doe", true, "PARENT / GUARDIAN, a title, not two people"},
		{"Jane Doe C / O Mary Smith", "Jane Doe", true, "care of, the slash between spaces"},
		{"Jane Doe C/ O Mary Smith", "Jane Doe", true, "care of, a space after the slash"},
		{"Jane Doe C /O Mary Smith", "Jane Doe", true, "care of, a space before the slash"},
		{"Jane Doe; C/O Mary Smith", "Jane Doe", true, "care of, after a semicolon"},
		{"Jane Doe c/o John/Mary Smith", "Jane Doe", true, "care of two people, for one"},
		{"Mary Smith C / O Jane Doe", "Jane Doe", false, "another person, care of the member, spaced"},
		{"Jane Doe Attn Mary Smith", "Jane Doe", false, "for another person's attention"},
		{"Attn: Jane Doe", "Jane Doe", false, "ATTN is no part of a name, and no care-of"},
		{"Mr Mrs John Smith", "John Smith", false, "a couple, the join left out"},
		{"Mr Ms John Smith", "John Smith", false, "two people's honorifics"},
		{"Mrs Jane Smith", "Jane Smith", true, "one honorific"},
		{"Ms Jane Smith", "Mrs Jane Smith", true, "MS and MRS: the same woman"},
		{"Mrs John Smith", "Mr John Smith", false, "his wife, by her honorific"},
		{"Ms Jamie Smith", "Mr. Jamie Smith", false, "honorifics of another person"},
		{"Dr Jamie Smith", "Mr Jamie Smith", true, "DR says nothing of who"},
		{"Mx Jamie Smith", "Ms Jamie Smith", true, "MX says nothing of who"},
		// V, a suffix at the end and an initial in the middle.
		{"John V Smith", "John W Smith", false, "V in the middle, a middle initial"},
		{"John V Smith", "John Victor Smith", true, "V in the middle, Victor's initial"},
		{"V Smith", "Victor Smith", true, "V first, an initial"},
		{"John V Smith", "John Smith V", true, "a middle initial on one side, a suffix on the other"},
		{"John Smith V", "John Smith IV", false, "V at the end, another generation"},
		{"John Smith V", "John Smith 5th", false, "5TH is no suffix we read: a middle name"},
		{"John Smith V", "John W Smith V", true, "V at the end, the same generation"},
		{"John Smith V", "John Smith", true, "V at the end, a suffix on one side only"},
		{"John Smith, V", "John Smith IV", false, "V after a comma at the end"},
		{"Smith V, John", "John Smith IV", false, "V with the surname, LAST, FIRST"},
		{"Smith V, John", "John W Smith", true, "V with the surname is a suffix, LAST, FIRST"},
		{"Smith, John V", "John W Smith", false, "V last in LAST, FIRST MIDDLE: a middle initial"},
		{"Smith, John V", "John Smith IV", false, "V last in LAST, FIRST MIDDLE: a suffix"},
		{"Smith, John V", "John Smith", true, "V last in LAST, FIRST MIDDLE, either way"},
		{"Smith, John V", "John Victor Smith", true, "V last in LAST, FIRST MIDDLE, Victor's initial"},
		{"John Smith V, MD", "John Smith IV", false, "V before a credential"},
		// A suffix joined by a hyphen at the end.
		{"John Smith-Sr", "John Smith Jr", false, "a suffix joined by a hyphen"},
		{"John Smith-Jr.", "John Smith Jr", true, "a suffix joined by a hyphen, the same"},
		{"John Smith-III", "John Smith II", false, "a numeral joined by a hyphen"},
		{"John Smith-V", "John Smith IV", false, "V joined by a hyphen"},
		{"Smith-Sr, John", "John Smith Jr", false, "a suffix joined by a hyphen, LAST, FIRST"},
		{"John Smith-Sr MD", "John Smith Jr", false, "a suffix joined by a hyphen, a credential after"},
		{"John Smith-Jones", "John Smith Jr", true, "a hyphenated surname, no suffix"},
		{"Jose da Silva-Junior", "Jose da Silva Senior", false, "JUNIOR joined by a hyphen"},
	}
	for _, tt := range tests {
		if got := address.SameName(tt.printed, tt.onFile); got != tt.want {
			t.Errorf("SameName(%q, %q) = %v, want %v (%s)", tt.printed, tt.onFile, got, tt.want, tt.reason)
		}
		if got := address.SameName(tt.onFile, tt.printed); got != tt.want {
			t.Errorf("SameName(%q, %q) = %v, want %v (%s; symmetric)", tt.onFile, tt.printed, got, tt.want, tt.reason)
		}
	}
}

func FuzzSameName(f *testing.F) {
	f.Add("Ada Lovelace", "Lovelace, Ada K.")
	f.Add("Witherspoon, Jr., Walter", "MR WALTER W WITHERSPOON JR")
	f.Add("John Smith, Jr., MD", "SMITH JUNIOR, JOHN")
	f.Add("José García-Núñez", "GARCIA-NUNEZ, JOSE")
	f.Add("MaryAnn De La Cruz", "Cruz, Mary Ann Dela")
	f.Add("To the Parent/Guardian of Jane Doe", "Doe, Jane c/o Mary Smith")
	f.Add("John & Mary Smith", "John and Mary Smith")
	f.Fuzz(func(t *testing.T, a, b string) {
		if address.SameName(a, b) != address.SameName(b, a) {
			t.Fatalf("not symmetric")
		}
		if address.SameName(a, a) != address.SameName(a, a+" ") {
			t.Fatalf("trailing space changes the answer")
		}
	})
}
