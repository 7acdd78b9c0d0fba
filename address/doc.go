// Package address parses, standardizes and compares US postal addresses,
// following USPS Publication 28, Postal Addressing Standards (October 2023).
//
// [Parse] reads an address written on one line; [ParseFields] reads the
// fields mailers hold (two delivery lines, city, state, ZIP). Both return an
// [Address] in Pub 28 standard form: upper case, the standard abbreviations
// of Appendix B (states, directionals), C1 (street suffixes) and C2
// (secondary unit designators), highways as in Appendix F, PO Boxes, rural
// routes, highway contracts and military boxes as in sections 24, 25, 28 and
// 238. [Address.String] renders it; [Compare] and [Address.Key] decide
// whether two addresses are the same delivery point.
//
// # Comparing
//
// Compare(a, b) is [Equivalent] exactly when a.Key() == b.Key(), and that is
// when every field of a equals the same field of b after standardization,
// with these exceptions only:
//   - the ZIP+4 takes no part: it refines the ZIP code and delivery line, and
//     is often missing or stale in mailers' files;
//   - the secondary unit designators APT, UNIT, STE and the pound sign (#)
//     are one designator: APT 4B and # 4B are the same unit. Other
//     designators are not interchangeable (BLDG 4 is not APT 4);
//   - an address's two secondary units, when it has two, are a set: BLDG 3
//     APT 4 and APT 4 BLDG 3 are the same delivery point;
//   - in street and city names, SAINT and ST, SAINTE and STE (not SAINT:
//     SAINTE MARIE is not SAINT MARIE), FORT and FT, MOUNT and MT, and
//     the spelled ordinals FIRST to TWENTIETH and 1ST to 20TH are the same
//     word, apostrophes are ignored, and a Latin letter's accent is too, as
//     the USPS ZIP+4 file has none (Pub 28 Appendix D5): CALLE PEÑUELAS,
//     CATAÑO is CALLE PENUELAS, CATANO. The standard form keeps the
//     letters as written;
//   - first in a street name of more than one word, the C1 forms of
//     AVENUE (AVE, AV, ...) and AVENIDA are one word, and those of
//     BOULEVARD (BLVD, BOUL, ...) another: AVENUE C is AVE C, BOULEVARD OF
//     THE ALLIES is BLVD OF THE ALLIES, and Puerto Rico's AVENIDA PONCE DE
//     LEON is AVE PONCE DE LEON. Pub 28 section 234.2 spells out a suffix word that is part of
//     the name, and mailers' files abbreviate it. The standard form keeps
//     the word as written. Other suffix words are not read so: as the first
//     word they often mean something else (ST JOHNS, DR MARTIN LUTHER KING
//     JR), and C1 makes some plurals one suffix (PIKES, PIKE) that are
//     different names.
//
// So a different primary number (123 and 132), unit number (APT 4B and APT
// 5B), a unit on one side only (BLDG 3 APT 4 and APT 4), a different or
// missing directional (N MAIN and S MAIN), suffix (MAIN ST and MAIN AVE),
// street name (MAPLE and MAPLEWOOD), PO Box, route or box number, city,
// state or ZIP code makes two addresses [Different] — however close the
// strings are.
//
// Compare reports [Similar], not Different, when the only fields that differ
// are the street name and the city, and each of those that differs looks
// like a typo: Jaro-Winkler similarity of at least [SimilarThreshold] with
// lengths within [SimilarMaxLenDiff] (SPRINGFEILD and SPRINGFIELD). Similar
// is for explaining and for routing a piece to a reviewer. It is never the
// same address: printgate releases a PHI piece only on Equivalent.
//
// # Departures from Pub 28
//
// Publication 28 standardizes against the USPS ZIP+4 and City State files;
// this package is offline and has neither. So:
//   - it does not correct, complete or validate an address against the
//     files: a misspelled street stays misspelled, a missing ZIP+4 stays
//     missing, and a vanity city name (HOLLYWOOD for LOS ANGELES) is a
//     different city;
//   - street names are printed as written (FIFTH AVE stays FIFTH AVE, where
//     the ZIP+4 file may say 5TH AVE); the key makes them equivalent;
//   - words of a city name are spelled out by rule (W STOCKBRIDGE is WEST
//     STOCKBRIDGE, NEWBERRY SPGS is NEWBERRY SPRINGS, ST LOUIS is SAINT
//     LOUIS), not looked up; a spelled-out directional alone in a part
//     before the state or ZIP code is the city (WEST, TX; NORTH EAST, MD),
//     not the street's post-directional;
//   - a delivery line may hold two secondary units of different
//     designators, a building of a complex and a unit in it (BLDG 3 APT 4),
//     kept in Unit and Unit2 in the order written (a unit on the delivery
//     line before one on a line of its own), where Pub 28's examples show
//     one secondary element to a delivery line. A second unit of
//     the first's class (STE 11 # 234, which Pub 28 section 285 makes a
//     PMB; APT 4 UNIT 5), or a third, is an error, [ErrInvalidUnit];
//   - a floor written number first, an ordinal and then FLOOR, FLR or FL
//     (2ND FLOOR, SECOND FL), is FL and the floor's number (FL 2), as Pub 28
//     writes a designator before its range; FIRST to TENTH are read spelled
//     out, and FL right after an ordinal is the floor, not Florida, unless
//     a comma sets it apart. It may start the street's line, as any unit
//     with its range may (4TH FLOOR 300 E RANDOLPH ST, # 42 233 S WACKER
//     DR). Other units written identifier first (B UNIT) are errors;
//   - a street line or a route and a box on one line (123 MAIN ST PO BOX
//     5, 123 MAIN ST BOX 5, 123 MAIN ST BOX A, RR 1 PO BOX 406) is an
//     error, [ErrAmbiguous]:
//     a dual address, but with no
//     line nearer the last line to tell which is the delivery address, as
//     Pub 28 section 215 does on two lines;
//   - the words of a street after a route's box are dropped, as Pub 28
//     sections 245 and 254 say (RR 2 BOX 18 BRYAN DAIRY RD is RR 2 BOX
//     18), but not what may tell two boxes apart: a word with a digit, a
//     letter alone, a unit designator or # anywhere among them (RR 2 BOX
//     15 2, RR 2 BOX 15 A, which may be box 15A, HC 72 BOX 18 ELM LOT 3)
//     or a PMB is an error, [ErrInvalidBox] or [ErrInvalidUnit]. A
//     military box (PSC, CMR, UNIT, ...) has no street: any word after it
//     but a PMB is an error;
//   - a route without its box (RR 2) is no delivery point, [ErrInvalidBox],
//     even as the farther line of a dual address (RR 1 above PO BOX 406,
//     which may be the route's box written as a PO Box). The word BOX and
//     its number on the line right after or before a route with no box is
//     that route's box (RR 2, BOX 18 is RR 2 BOX 18), where PO BOX, POB
//     and the like name a PO Box; next to a route that has its box, such a
//     line is [ErrAmbiguous];
//   - a letter alone on a line is a secondary range, as a number alone is
//     (123 MAIN ST, A is 123 MAIN ST # A);
//   - a line that is no delivery line is set aside as a building's or
//     firm's name, unless it may be what tells two delivery points at one
//     number apart: one that starts with a designator (REAR HOUSE, LOBBY
//     LEVEL) or with BACK, LEFT, RIGHT, UP or HALF, or has a dwelling's
//     designator after its first word (EAST APT, GROUND FLOOR), is
//     [ErrInvalidUnit]; one with a number or a letter (LEVEL 3, WING C,
//     TOWER N) is [ErrUnrecognized]; one with HALF after its first word
//     (EAST HALF) is [ErrInvalidUnit]; and one that
//     names a second dwelling on the lot or a part of the house let as one
//     (CARRIAGE HOUSE, GUEST HOUSE, COTTAGE, GARAGE, IN-LAW, ATTIC,
//     CELLAR, GARDEN LEVEL, STUDIO, BARN, MOBILE HOME, SERVANTS QUARTERS)
//     beside a street address with no unit is
//     [ErrInvalidUnit] (with a unit, it names a building). The words of
//     the lines set aside are kept in [Address.Building]: no part of the
//     delivery point, but [Classify] holds a piece for SMITH HALL apart
//     from the address of JONES HALL at the same number
//     ([BuildingsAgree]). A Puerto Rico urbanization (URB VILLA NUEVA) is
//     set aside so too, and must be the same on both sides, word for
//     word: street names and numbers repeat between urbanizations in one
//     ZIP code (Pub 28 section 29);
//   - UPSTAIRS and DOWNSTAIRS, as mailers write the floors of a divided
//     house, are UPPR and LOWR;
//   - NO and SO right after a street's suffix, with no number after them,
//     are the post-directionals N and S, as mailers in Florida and
//     Minnesota write them (13TH AVE NO is 13TH AVE N);
//   - NO before a highway's number is dropped (US HIGHWAY NO 202 is US
//     HIGHWAY 202); after any other street it is a unit, as # is;
//   - after a pre-directional, AVENUE or BOULEVARD and one letter is the
//     street's name (9912 S AVENUE H), where after a street name and a
//     suffix, or a suffix and a post-directional, the letter is a unit
//     (280 SUMMIT CT B, 720 10TH AVE SW A); without commas, such a letter
//     is never the first word of the city, since no city's name starts
//     with a letter of its own but a directional;
//   - a C1 form that ends a street name before its suffix is spelled out
//     as Pub 28 section 234.2 has it only when it abbreviates the primary
//     name (MAIN AVE DR is MAIN AVENUE DR, DEER TRL CT is DEER TRAIL CT);
//     a plural (DEER TRAILS CT, TRLS, PIKES) or a word C1 lists as a
//     form (PONY EXPRESS RD, DEL VIA CT) is kept as written: another name;
//   - a directional word between the street name and suffix is kept as
//     written (BAY W DR), since Pub 28 also reads such a letter as part of the
//     name (BAY E DR);
//   - a 4-digit ZIP code is taken for a ZIP whose leading zero a spreadsheet
//     dropped, and padded (2134 is 02134).
//
// # Errors
//
// A parse that fails returns a [*ParseError] naming the input field and the
// byte offset in it, with one of the errors listed under [ParseError] as its
// reason. Error strings never hold the address text: an address is
// Protected Health Information when it is a member's.
package address
