//! Small embedded word lists: abbreviations, month and weekday names, first names, role
//! nouns and a gazetteer of places and organisations. Written for this crate; the lists
//! are deliberately short and precise rather than complete.

/// Abbreviations (without their period) after which a period never ends a sentence.
pub const ABBREVIATIONS: &[&str] = &[
    "Abb", "Abschn", "Abt", "Anm", "Aufl", "Bd", "Bhf", "bspw", "Bsp", "bzgl", "bzw", "ca",
    "Chr", "Co", "dgl", "Dipl", "Dir", "Dr", "Dres", "eigtl", "einschl", "entspr", "etc",
    "evtl", "Fa", "ff", "geb", "Gebr", "gem", "gest", "ggf", "ggü", "Hbf", "Hr", "Hrn",
    "Hrsg", "Ing", "inkl", "insb", "Jh", "Jhd", "jun", "Kap", "kath", "Kfz", "lt", "Mag",
    "med", "Mio", "Mr", "Mrd", "Mrs", "Ms", "Nr", "od", "phil", "Pkt", "Präs", "Prof", "rd",
    "rer", "röm", "sen", "sog", "Sr", "Jr", "St", "Std", "stellv", "Str", "Tel", "Tsd",
    "usf", "usw", "Verf", "vgl", "Vgl", "vs", "Vors", "zit", "zzgl", "zz", "Feb", "Febr",
    "Apr", "Aug", "Sep", "Sept", "Okt", "Nov", "Dez",
];

/// Abbreviations that do not end a sentence when a number follows (`Art. 5`, `S. 12`).
pub const ABBREVIATIONS_BEFORE_NUMBER: &[&str] =
    &["Art", "Abs", "Jan", "Jun", "Jul", "Mär", "Ziff", "Rn", "Nr", "Bd", "Kap", "Tab"];

/// Full month names, from January.
const MONTHS: &[&str] = &[
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
];

/// Month abbreviations (used with a period), from January.
const MONTH_ABBREVIATIONS: &[&str] = &[
    "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
];

/// The month number (1–12) of a full month name, `Jänner`, or an abbreviation.
pub fn month_number(word: &str) -> Option<u32> {
    if word == "Jänner" {
        return Some(1);
    }
    if word == "Febr" {
        return Some(2);
    }
    if word == "Sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == word)
        .or_else(|| MONTH_ABBREVIATIONS.iter().position(|m| *m == word))
        .map(|i| i as u32 + 1)
}

/// Whether `word` is a full month name.
pub fn is_full_month(word: &str) -> bool {
    word == "Jänner" || MONTHS.contains(&word)
}

/// Weekday names from Monday.
pub const WEEKDAYS: &[&str] = &[
    "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag",
];

/// The weekday (0 = Monday) of `word`, which may be a weekday name, `Sonnabend`, or a
/// compound with a time of day (`Montagabend`, `Sonntagmorgen`).
pub fn weekday_number(word: &str) -> Option<u32> {
    if word == "Sonnabend" {
        return Some(5);
    }
    for (i, d) in WEEKDAYS.iter().enumerate() {
        if let Some(rest) = word.strip_prefix(d) {
            if rest.is_empty()
                || matches!(rest, "abend" | "morgen" | "nachmittag" | "vormittag" | "mittag" | "nacht" | "früh")
            {
                return Some(i as u32);
            }
        }
    }
    None
}

/// Common first names (German and international) that start a person's name when a
/// capitalised token follows. East Asian family names are in [`FAMILY_NAME_FIRST`].
pub const FIRST_NAMES: &[&str] = &[
    // German and European, male.
    "Alexander", "Andreas", "Anton", "Armin", "Axel", "Bernd", "Bernhard", "Björn", "Boris",
    "Burkhard", "Carsten", "Christian", "Christoph", "Claus", "Cem", "Daniel", "David",
    "Dennis", "Dieter", "Dirk", "Dominik", "Edmund", "Erich", "Ernst", "Felix", "Florian",
    "Frank", "Franz", "Friedrich", "Fritz", "Georg", "Gerhard", "Gregor", "Günter", "Günther",
    "Hans", "Harald", "Heiko", "Heiner", "Heinrich", "Heinz", "Helmut", "Herbert", "Hermann",
    "Horst", "Hubert", "Hubertus", "Jan", "Jens", "Joachim", "Jochen", "Johann", "Johannes",
    "Jonas", "Jörg", "Josef", "Joseph", "Jürgen", "Karl", "Kai", "Klaus", "Konrad", "Kurt",
    "Lars", "Lothar", "Ludwig", "Lukas", "Manfred", "Marc", "Marcel", "Markus", "Marco",
    "Martin", "Matthias", "Max", "Maximilian", "Michael", "Niklas", "Norbert", "Olaf",
    "Oliver", "Oskar", "Otto", "Patrick", "Paul", "Peter", "Philipp", "Rainer", "Ralf",
    "Ralph", "Reinhard", "Richard", "Robert", "Roland", "Rolf", "Rudolf", "Rüdiger",
    "Sebastian", "Siegfried", "Sigmar", "Simon", "Stefan", "Stephan", "Steffen", "Sven",
    "Thomas", "Thorsten", "Till", "Tim", "Tobias", "Tom", "Torsten", "Ulrich", "Uwe",
    "Volker", "Walter", "Werner", "Wilhelm", "Winfried", "Wolfgang", "Gustav", "Albert",
    "Arnold", "Erwin", "Egon", "Emil", "Eduard", "Adolf", "Bruno", "Hugo", "Jakob", "Leon",
    "Ludger", "Theodor", "Viktor", "Heribert", "Edgar", "Johan", "Hannes",
    // German and European, female.
    "Alice", "Andrea", "Angela", "Anja", "Anna", "Anke", "Annalena", "Annegret", "Barbara",
    "Bettina", "Birgit", "Brigitte", "Carola", "Christa", "Christina", "Christine",
    "Claudia", "Doris", "Elisabeth", "Elke", "Emma", "Eva", "Franziska", "Gabriele", "Gerda",
    "Gisela", "Hannelore", "Heidi", "Heike", "Helga", "Ilse", "Ines", "Ingrid", "Irene",
    "Jana", "Julia", "Jutta", "Karin", "Katarina", "Katharina", "Kathrin", "Katja", "Klara",
    "Kristina", "Laura", "Lena", "Manuela", "Margarete", "Margot", "Maria", "Marie",
    "Marion", "Martina", "Melanie", "Monika", "Nadine", "Nicole", "Petra", "Renate",
    "Ricarda", "Sabine", "Sahra", "Sandra", "Sarah", "Saskia", "Silke", "Simone", "Sophie",
    "Stefanie", "Susanne", "Svenja", "Tanja", "Ulla", "Ulrike", "Ursula", "Ute", "Nancy",
    "Hildegard", "Marlene", "Magdalena", "Johanna", "Christiane", "Dorothea", "Beate",
    // International.
    "Donald", "Joe", "Barack", "Hillary", "Bill", "George", "John", "James", "Kamala",
    "Mike", "Elon", "Vladimir", "Wladimir", "Dmitri", "Dmitrij", "Sergej", "Sergei",
    "Alexej", "Alexei", "Michail", "Nikolai", "Jewgeni", "Emmanuel", "Nicolas", "François",
    "Jacques", "Charles", "Tony", "Gordon", "Theresa", "Rishi", "Keir", "Benjamin", "Recep",
    "Wolodymyr", "Volodymyr", "Shinzo", "Shigeru", "Fumio", "Narendra", "Jair", "Luiz",
    "Justin", "Giorgia", "Silvio", "Matteo", "Mario", "Pedro", "Alexis", "Kyriakos",
    "Kofi", "António", "Antonio", "Ali", "Mohammed", "Muhammad", "Mohammad", "Ahmed",
    "Hassan", "Jean", "Pierre", "Ronald", "Richard", "Henry", "William", "Steve", "Jeff",
    "Marine", "Hugo", "Fidel", "Nelson", "Mahmud", "Mahmoud", "Bashar", "Ehud", "Ariel",
    "Saddam", "Osama", "Jimmy", "Condoleezza", "Colin", "Jose", "José", "Juan", "Carlos",
    "Luis", "Lula", "Ban", "Jens", "Mette", "Sanna", "Viktor", "Ilham", "Mikheil", "Marcus",
    "Kevin", "Brian", "Robert", "Edward", "Thomas", "Lionel", "Cristiano", "Roger", "Novak",
];

/// Family names written first (Korean, Chinese, Vietnamese): they start a full name and a
/// later mention of them alone refers back to it (`Kim Jong Un` … `Kim`).
pub const FAMILY_NAME_FIRST: &[&str] = &[
    "Kim", "Lee", "Park", "Moon", "Yoon", "Cho", "Choi", "Ri", "Pak", "Xi", "Li", "Wang",
    "Zhang", "Chen", "Liu", "Hu", "Mao", "Deng", "Wen", "Jiang", "Zhou", "Nguyen", "Ho",
];

/// Role nouns (lowercase stems, compared with the end of a token) that introduce a
/// person's name: `US-Präsident Donald Trump`, `China-Experte Christian Wirth`.
pub const ROLE_SUFFIXES: &[&str] = &[
    "präsident", "präsidentin", "kanzler", "kanzlerin", "minister", "ministerin",
    "machthaber", "diktator", "experte", "expertin", "sprecher", "sprecherin", "chef",
    "chefin", "trainer", "trainerin", "vorsitzende", "vorsitzender", "sekretär",
    "sekretärin", "botschafter", "botschafterin", "kommissar", "kommissarin", "abgeordnete",
    "abgeordneter", "politiker", "politikerin", "autor", "autorin", "sänger", "sängerin",
    "schauspieler", "schauspielerin", "journalist", "journalistin", "regisseur",
    "regisseurin", "bürgermeister", "bürgermeisterin", "gouverneur", "gouverneurin",
    "senator", "senatorin", "kandidat", "kandidatin", "papst", "könig", "königin", "prinz",
    "prinzessin", "premier", "premierminister", "premierministerin", "staatschef",
    "regierungschef", "parteichef", "führer", "herausforderer", "herausforderin",
    "professor", "professorin", "analyst", "analystin", "forscher", "forscherin", "general",
    "admiral", "anwalt", "anwältin", "richter", "richterin", "bischof", "kardinal",
    "spieler", "spielerin", "stürmer", "torwart", "kapitän", "manager", "managerin",
    "gründer", "gründerin", "unternehmer", "unternehmerin", "ökonom", "ökonomin",
    "historiker", "historikerin", "wissenschaftler", "wissenschaftlerin", "leiter",
    "leiterin", "direktor", "direktorin", "vize", "staatssekretär", "staatssekretärin",
    "beauftragte", "beauftragter", "herr", "frau", "dr.", "kollege", "kollegin", "amtskollege",
    "amtskollegin", "amtsvorgänger", "vorgänger", "vorgängerin", "nachfolger", "nachfolgerin",
    "republikaner", "demokrat", "demokratin", "komponist", "maler", "dichter", "philosoph",
    "pianist", "dirigent", "moderator", "moderatorin", "rapper", "fotograf", "architekt",
];

/// Tokens ending in these (lowercase) are common nouns, never part of a person's name.
pub const NOUN_SUFFIXES: &[&str] = &[
    "ung", "ungen", "heit", "keit", "schaft", "ion", "ionen", "ismus", "tät", "nis", "isse",
    "ment", "ments", "ität", "ik", "chen", "lein", "ieren", "tum",
];

/// Capitalised words that are never a name token (they start sentences or titles).
pub const NOT_NAME: &[&str] = &[
    "Der", "Die", "Das", "Den", "Dem", "Des", "Ein", "Eine", "Einen", "Einem", "Einer",
    "Und", "Oder", "Aber", "In", "Im", "Am", "An", "Auf", "Aus", "Bei", "Mit", "Nach",
    "Für", "Von", "Vom", "Zu", "Zum", "Zur", "Es", "Er", "Sie", "Wir", "Ich", "Ihr",
    "Auch", "Doch", "Als", "Wie", "So", "Dann", "Nun", "Noch", "Nicht", "Dass", "Wenn",
    "Quelle", "Bild", "Foto", "Archivbild", "Herr", "Frau", "Mann", "Jahr", "Jahre",
    "Jahren", "Uhr", "Prozent", "Euro", "Dollar", "Staaten", "Land", "Regierung", "Partei",
    "Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag",
];

/// Gazetteer label of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GazLabel {
    /// A place.
    Loc,
    /// An organisation.
    Org,
    /// Anything else with a name.
    Misc,
}

/// Places: `(name, canonical)`; an empty canonical means the name itself. Genitives in
/// `-s` are derived automatically for names not ending in a sibilant.
pub const PLACES: &[(&str, &str)] = &[
    ("USA", "USA"), ("US", "USA"), ("Vereinigte Staaten", "USA"), ("Vereinigten Staaten", "USA"),
    ("Vereinigten Staaten von Amerika", "USA"), ("Amerika", ""), ("BRD", "Deutschland"),
    ("Bundesrepublik", "Deutschland"), ("DDR", ""), ("UdSSR", "Sowjetunion"), ("Sowjetunion", ""),
    ("Großbritannien", ""), ("UK", "Großbritannien"), ("Weißen Haus", "Weißes Haus"),
    ("Weißes Haus", ""), ("Afghanistan", ""), ("Ägypten", ""), ("Albanien", ""), ("Algerien", ""),
    ("Argentinien", ""), ("Armenien", ""), ("Aserbaidschan", ""), ("Äthiopien", ""),
    ("Australien", ""), ("Bangladesch", ""), ("Belgien", ""), ("Bolivien", ""), ("Bosnien", ""),
    ("Brasilien", ""), ("Bulgarien", ""), ("Chile", ""), ("China", ""), ("Dänemark", ""),
    ("Deutschland", ""), ("Ecuador", ""), ("Estland", ""), ("Finnland", ""), ("Frankreich", ""),
    ("Georgien", ""), ("Griechenland", ""), ("Indien", ""), ("Indonesien", ""), ("Irak", ""),
    ("Iran", ""), ("Irland", ""), ("Island", ""), ("Israel", ""), ("Italien", ""), ("Japan", ""),
    ("Jemen", ""), ("Jordanien", ""), ("Kambodscha", ""), ("Kamerun", ""), ("Kanada", ""),
    ("Kasachstan", ""), ("Katar", ""), ("Kenia", ""), ("Kolumbien", ""), ("Kongo", ""),
    ("Korea", ""), ("Nordkorea", ""), ("Südkorea", ""), ("Kosovo", ""), ("Kroatien", ""),
    ("Kuba", ""), ("Kuwait", ""), ("Laos", ""), ("Lettland", ""), ("Libanon", ""), ("Libyen", ""),
    ("Liechtenstein", ""), ("Litauen", ""), ("Luxemburg", ""), ("Malaysia", ""), ("Mali", ""),
    ("Marokko", ""), ("Mexiko", ""), ("Moldau", ""), ("Moldawien", ""), ("Mongolei", ""),
    ("Montenegro", ""), ("Mosambik", ""), ("Myanmar", ""), ("Namibia", ""), ("Nepal", ""),
    ("Neuseeland", ""), ("Niederlande", ""), ("Nigeria", ""), ("Norwegen", ""),
    ("Österreich", ""), ("Pakistan", ""), ("Palästina", ""), ("Panama", ""), ("Peru", ""),
    ("Philippinen", ""), ("Polen", ""), ("Portugal", ""), ("Ruanda", ""), ("Rumänien", ""),
    ("Russland", ""), ("Saudi-Arabien", ""), ("Schweden", ""), ("Schweiz", ""), ("Senegal", ""),
    ("Serbien", ""), ("Simbabwe", ""), ("Singapur", ""), ("Slowakei", ""), ("Slowenien", ""),
    ("Somalia", ""), ("Spanien", ""), ("Sri Lanka", ""), ("Sudan", ""), ("Südafrika", ""),
    ("Syrien", ""), ("Taiwan", ""), ("Tansania", ""), ("Thailand", ""), ("Tibet", ""),
    ("Tschechien", ""), ("Tunesien", ""), ("Türkei", ""), ("Uganda", ""), ("Ukraine", ""),
    ("Ungarn", ""), ("Uruguay", ""), ("Usbekistan", ""), ("Venezuela", ""), ("Vietnam", ""),
    ("Weißrussland", ""), ("Belarus", ""), ("Zypern", ""), ("England", ""), ("Schottland", ""),
    ("Wales", ""), ("Europa", ""), ("Asien", ""), ("Afrika", ""), ("Ostasien", ""),
    ("Nahost", ""), ("Südamerika", ""), ("Nordamerika", ""), ("Lateinamerika", ""),
    ("Antarktis", ""), ("Arktis", ""), ("Balkan", ""), ("Skandinavien", ""), ("Sibirien", ""),
    ("Kaukasus", ""), ("Krim", ""), ("Gaza", ""), ("Gazastreifen", ""), ("Westjordanland", ""),
    ("Kaschmir", ""), ("Hongkong", ""), ("Tschetschenien", ""), ("Grönland", ""),
    ("Nordirland", ""), ("Katalonien", ""), ("Bayern", ""), ("Sachsen", ""), ("Hessen", ""),
    ("Brandenburg", ""), ("Thüringen", ""), ("Niedersachsen", ""), ("Nordrhein-Westfalen", ""),
    ("Baden-Württemberg", ""), ("Rheinland-Pfalz", ""), ("Saarland", ""),
    ("Schleswig-Holstein", ""), ("Mecklenburg-Vorpommern", ""), ("Sachsen-Anhalt", ""),
    ("Westfalen", ""), ("Franken", ""), ("Schwaben", ""), ("Tirol", ""), ("Kärnten", ""),
    ("Steiermark", ""), ("Vorarlberg", ""), ("Salzburg", ""), ("Kalifornien", ""),
    ("Texas", ""), ("Florida", ""), ("Alaska", ""), ("Hawaii", ""), ("Guam", ""),
    ("Pazifik", ""), ("Atlantik", ""), ("Mittelmeer", ""), ("Nordsee", ""), ("Ostsee", ""),
    ("Rhein", ""), ("Elbe", ""), ("Donau", ""), ("Alpen", ""), ("Himalaya", ""),
    ("Ruhrgebiet", ""), ("Berlin", ""), ("Hamburg", ""), ("München", ""), ("Köln", ""),
    ("Frankfurt", ""), ("Stuttgart", ""), ("Düsseldorf", ""), ("Dortmund", ""), ("Leipzig", ""),
    ("Bremen", ""), ("Dresden", ""), ("Hannover", ""), ("Nürnberg", ""), ("Duisburg", ""),
    ("Bochum", ""), ("Wuppertal", ""), ("Bielefeld", ""), ("Bonn", ""), ("Münster", ""),
    ("Karlsruhe", ""), ("Mannheim", ""), ("Augsburg", ""), ("Wiesbaden", ""), ("Mainz", ""),
    ("Kiel", ""), ("Rostock", ""), ("Potsdam", ""), ("Magdeburg", ""), ("Erfurt", ""),
    ("Freiburg", ""), ("Heidelberg", ""), ("Darmstadt", ""), ("Kassel", ""), ("Göttingen", ""),
    ("Regensburg", ""), ("Würzburg", ""), ("Ulm", ""), ("Aachen", ""), ("Saarbrücken", ""),
    ("Lübeck", ""), ("Chemnitz", ""), ("Jena", ""), ("Weimar", ""), ("Trier", ""),
    ("Koblenz", ""), ("Wien", ""), ("Graz", ""), ("Linz", ""), ("Innsbruck", ""),
    ("Zürich", ""), ("Bern", ""), ("Basel", ""), ("Genf", ""), ("Lausanne", ""), ("Paris", ""),
    ("London", ""), ("Rom", ""), ("Madrid", ""), ("Barcelona", ""), ("Lissabon", ""),
    ("Brüssel", ""), ("Amsterdam", ""), ("Den Haag", ""), ("Kopenhagen", ""),
    ("Stockholm", ""), ("Oslo", ""), ("Helsinki", ""), ("Warschau", ""), ("Prag", ""),
    ("Budapest", ""), ("Bukarest", ""), ("Sofia", ""), ("Athen", ""), ("Ankara", ""),
    ("Istanbul", ""), ("Moskau", ""), ("Kiew", ""), ("Minsk", ""), ("Peking", ""),
    ("Shanghai", ""), ("Tokio", ""), ("Seoul", ""), ("Pjöngjang", ""), ("Hanoi", ""),
    ("Bangkok", ""), ("Neu-Delhi", ""), ("Delhi", ""), ("Mumbai", ""), ("Kabul", ""),
    ("Teheran", ""), ("Bagdad", ""), ("Damaskus", ""), ("Beirut", ""), ("Jerusalem", ""),
    ("Tel Aviv", ""), ("Kairo", ""), ("Riad", ""), ("Dubai", ""), ("Doha", ""),
    ("Washington", ""), ("New York", ""), ("Los Angeles", ""), ("Chicago", ""),
    ("San Francisco", ""), ("Boston", ""), ("Miami", ""), ("Toronto", ""), ("Ottawa", ""),
    ("Rio de Janeiro", ""), ("Buenos Aires", ""), ("Sydney", ""), ("Canberra", ""),
    ("Nairobi", ""), ("Johannesburg", ""), ("Kapstadt", ""), ("Lagos", ""), ("Straßburg", ""),
    ("Venedig", ""), ("Mailand", ""), ("Neapel", ""), ("Florenz", ""), ("Marseille", ""),
    ("Lyon", ""), ("Manchester", ""), ("Liverpool", ""), ("Dublin", ""), ("Edinburgh", ""),
    ("Hollywood", ""), ("Osteuropa", ""), ("Westeuropa", ""), ("Mitteleuropa", ""),
    ("Südostasien", ""), ("Nordafrika", ""), ("Ostdeutschland", ""), ("Westdeutschland", ""),
    ("Süddeutschland", ""), ("Norddeutschland", ""), ("Südtirol", ""), ("Oberbayern", ""),
    ("Ostfriesland", ""), ("Ägäis", ""), ("Persischen Golf", "Persischer Golf"),
    ("Persischer Golf", ""), ("Golf von Mexiko", ""), ("Schwarzen Meer", "Schwarzes Meer"),
    ("Schwarzes Meer", ""), ("Rote Meer", "Rotes Meer"), ("Roten Meer", "Rotes Meer"),
];

/// Organisations: `(name, canonical)` as in [`PLACES`].
pub const ORGANISATIONS: &[(&str, &str)] = &[
    ("UN", "Vereinte Nationen"), ("UNO", "Vereinte Nationen"),
    ("Vereinte Nationen", ""), ("Vereinten Nationen", "Vereinte Nationen"), ("EU", ""),
    ("Europäische Union", ""), ("Europäischen Union", "Europäische Union"), ("NATO", "Nato"),
    ("Nato", ""), ("KCNA", ""), ("AFP", ""), ("dpa", ""), ("AP", ""), ("Reuters", ""),
    ("Yonhap", ""), ("Bundestag", ""), ("Bundesrat", ""), ("Bundesregierung", ""),
    ("Bundeswehr", ""), ("Bundesliga", ""), ("Kreml", ""), ("Pentagon", ""), ("CDU", ""),
    ("CSU", ""), ("SPD", ""), ("FDP", ""), ("AfD", ""), ("BSW", ""), ("Grünen", "Grüne"),
    ("Bundesverfassungsgericht", ""), ("Bundesgerichtshof", ""), ("EZB", ""), ("IWF", ""),
    ("Weltbank", ""), ("WHO", ""), ("UNESCO", ""), ("Unesco", ""), ("UNICEF", ""), ("Unicef", ""),
    ("OECD", ""), ("OSZE", ""), ("IAEA", ""), ("IAEO", ""), ("FIFA", ""), ("Fifa", ""),
    ("UEFA", ""), ("Uefa", ""), ("DFB", ""), ("IOC", ""), ("ARD", ""), ("ZDF", ""), ("BBC", ""),
    ("CNN", ""), ("RTL", ""), ("Spiegel", ""), ("FAZ", ""), ("taz", ""), ("Siemens", ""),
    ("Volkswagen", ""), ("VW", ""), ("BMW", ""), ("Daimler", ""), ("Audi", ""), ("Porsche", ""),
    ("BASF", ""), ("SAP", ""), ("Telekom", ""), ("Lufthansa", ""), ("Google", ""), ("Apple", ""),
    ("Microsoft", ""), ("Amazon", ""), ("Facebook", ""), ("Twitter", ""), ("Samsung", ""),
    ("Toyota", ""), ("Sony", ""), ("Nokia", ""), ("Opel", ""), ("Allianz", ""),
    ("Commerzbank", ""), ("Deutsche Bank", ""), ("Bundesbank", ""), ("Deutsche Bahn", ""),
    ("Greenpeace", ""), ("Amnesty International", ""), ("Roten Kreuz", "Rotes Kreuz"),
    ("Rotes Kreuz", ""), ("Hamas", ""), ("Hisbollah", ""), ("Taliban", ""), ("al-Qaida", ""),
    ("Al-Qaida", "al-Qaida"), ("Bayern München", ""), ("Borussia Dortmund", ""),
    ("Schalke", ""), ("Werder Bremen", ""), ("Hertha BSC", ""), ("Arbeiterpartei", ""),
    ("Korean Central News Agency", ""), ("Foreign Policy", ""), ("Sicherheitsrat", ""),
    ("UN-Sicherheitsrat", ""), ("Deutsche Welle", ""), ("DW", "Deutsche Welle"),
    ("Europaparlament", ""), ("EU-Kommission", ""), ("Europäische Kommission", ""),
    ("Europäischen Kommission", "Europäische Kommission"), ("Bundesagentur für Arbeit", ""),
    ("Bundesverfassungsschutz", ""), ("Verfassungsschutz", ""), ("Bundesanwaltschaft", ""),
    ("Bundeskanzleramt", ""), ("Kanzleramt", ""), ("Auswärtige Amt", "Auswärtiges Amt"),
    ("Auswärtigen Amt", "Auswärtiges Amt"), ("Auswärtiges Amt", ""), ("Bundesanstalt", ""),
    ("Stiftung Warentest", ""), ("Linkspartei", ""), ("Union", ""), ("Eintracht Frankfurt", ""),
    ("Bundesnetzagentur", ""), ("Bundeskartellamt", ""), ("Statistische Bundesamt", "Statistisches Bundesamt"),
    ("Statistisches Bundesamt", ""), ("Bundesamt", ""), ("Polizei", ""), ("Interpol", ""),
    ("Europol", ""), ("Gazprom", ""), ("Bundespolizei", ""),
];

/// Acronyms (all uppercase) that are not organisations.
pub const NOT_ORG_ACRONYMS: &[&str] = &[
    "DNA", "HIV", "AIDS", "TV", "CD", "DVD", "PC", "PS", "KW", "MW", "GB", "MB", "EUR", "USD",
    "OK", "PR", "IT", "KI", "AI", "SMS", "GPS", "WLAN", "USB", "CO", "NO", "PKW", "LKW", "DJ",
    "MP", "UKW", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "XIII", "XIV",
    "XV", "XVI", "XX", "XXL", "ICE", "WM", "EM", "BIP", "FAQ", "PDF", "HTML", "URL", "ID",
    "VIP", "CEO", "CFO", "AG", "SE", "KG", "GG", "BGB", "SUV", "LED", "MRT", "CT", "TÜV",
    "ABC", "NS", "NSDAP", "UFO", "SOS", "FKK", "MEZ", "UTC", "PIN", "TAN", "DAX", "US",
];

/// Head nouns (after capitalised adjectives) that make the name a place.
pub const LOC_HEADS: &[&str] = &[
    "Staaten", "Königreich", "Republik", "Meer", "Ozean", "See", "Alpen", "Emirate", "Inseln",
    "Insel", "Platz", "Straße", "Gebirge", "Wald", "Tal", "Halbinsel", "Küste", "Region",
];

/// Head nouns (after capitalised adjectives) that make the name an organisation.
pub const ORG_HEADS: &[&str] = &[
    "Union", "Nationen", "Partei", "Bank", "Kommission", "Armee", "Liga", "Universität",
    "Zentralbank", "Gericht", "Rat", "Verband", "Bund", "Zeitung", "Rundschau", "Allgemeine",
    "Volkspartei", "Front", "Kirche", "Gewerkschaft", "Agentur", "Akademie", "Institut",
    "Stiftung", "Post", "Bahn", "Welle", "Rundfunk", "Garde", "Marine", "Luftwaffe",
];

/// Endings of organisation names written as one compound (`Verteidigungsministerium`).
pub const ORG_SUFFIXES: &[&str] = &[
    "ministerium", "ministeriums", "partei", "gericht", "gerichts", "gerichtshof",
    "universität", "gewerkschaft", "bundesamt", "landesamt", "kommission",
];

/// Generic compounds ending in an [`ORG_SUFFIXES`] entry that are not names.
pub const NOT_ORG_COMPOUNDS: &[&str] = &[
    "regierungspartei", "oppositionspartei", "volkspartei", "kleinpartei", "splitterpartei",
    "einheitspartei", "staatspartei", "landgericht", "amtsgericht", "gericht", "partei",
    "ministerium", "kommission", "universität", "gewerkschaft", "schiedsgericht",
    "sondergericht", "strafgericht", "bundesgericht", "expertenkommission", "ethikkommission",
];

/// Company form suffixes that end an organisation name (`Siemens AG`).
pub const COMPANY_FORMS: &[&str] = &["AG", "GmbH", "SE", "KG", "Inc", "Ltd", "Corp", "KGaA", "eG"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_weekdays() {
        assert_eq!(month_number("Februar"), Some(2));
        assert_eq!(month_number("Okt"), Some(10));
        assert_eq!(month_number("Montag"), None);
        assert_eq!(weekday_number("Sonntag"), Some(6));
        assert_eq!(weekday_number("Montagabend"), Some(0));
        assert_eq!(weekday_number("Montagsdemo"), None);
    }

    #[test]
    fn lists_have_no_empty_entries() {
        for list in [ABBREVIATIONS, FIRST_NAMES, ROLE_SUFFIXES, NOT_NAME] {
            assert!(list.iter().all(|w| !w.is_empty()));
        }
        assert!(PLACES.iter().chain(ORGANISATIONS).all(|(n, _)| !n.is_empty()));
    }
}
