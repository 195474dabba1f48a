//! Name tables (written for this crate; weights are rough regional
//! frequencies, not statistics of real persons) and the record-level noise
//! with which a name is written down at a post.

use crate::rng::Rng;

/// How names of a nationality are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameStyle {
    /// Given names and two surnames (father's, mother's).
    Hispanic,
    /// As `Hispanic`, with Maya surnames common (Guatemala).
    Guatemalan,
    /// French and Creole given names, one surname.
    Haitian,
    /// English given and middle names, one surname.
    Anglo,
}

/// Surnames common across Mexico, Central America and the Caribbean.
pub(crate) const SURNAMES: &[(&str, u32)] = &[
    ("García", 60),
    ("Hernández", 58),
    ("López", 55),
    ("Martínez", 45),
    ("González", 45),
    ("Rodríguez", 40),
    ("Pérez", 40),
    ("Sánchez", 30),
    ("Ramírez", 30),
    ("Flores", 26),
    ("Morales", 26),
    ("Cruz", 22),
    ("Reyes", 22),
    ("Gómez", 22),
    ("Díaz", 20),
    ("Torres", 18),
    ("Castillo", 18),
    ("Ramos", 16),
    ("Mejía", 16),
    ("Jiménez", 15),
    ("Vásquez", 15),
    ("Velásquez", 14),
    ("Méndez", 14),
    ("Orellana", 12),
    ("Aguilar", 14),
    ("Ortiz", 12),
    ("Gutiérrez", 12),
    ("Chávez", 12),
    ("Ruiz", 10),
    ("Álvarez", 10),
    ("Romero", 10),
    ("Castro", 10),
    ("Molina", 9),
    ("Herrera", 9),
    ("Medina", 9),
    ("Guzmán", 8),
    ("Muñoz", 8),
    ("Rivera", 12),
    ("Contreras", 8),
    ("Estrada", 9),
    ("Figueroa", 7),
    ("Domínguez", 7),
    ("Salazar", 7),
    ("Juárez", 8),
    ("Ávila", 6),
    ("Mendoza", 10),
    ("Fuentes", 6),
    ("Barrios", 6),
    ("Escobar", 6),
    ("Monterroso", 4),
    ("Solís", 6),
    ("Peña", 6),
    ("Núñez", 6),
    ("Ibáñez", 3),
    ("Castañeda", 5),
    ("Patiño", 3),
    ("Zelaya", 6),
    ("Alvarado", 8),
    ("Cabrera", 6),
    ("Cifuentes", 4),
    ("Quiñónez", 4),
    ("Maldonado", 6),
    ("Arévalo", 4),
    ("Villatoro", 3),
    ("Recinos", 3),
    ("Sandoval", 6),
    ("Paz", 5),
    ("Bonilla", 6),
    ("Canales", 4),
    ("Zúñiga", 5),
    ("Ochoa", 4),
    ("Valdez", 5),
    ("Vargas", 7),
    ("Rojas", 7),
    ("Acosta", 5),
    ("Benítez", 4),
    ("Cardona", 4),
    ("Carrillo", 5),
    ("Duarte", 3),
    ("Espinoza", 6),
    ("Galeano", 2),
    ("Lara", 4),
    ("Linares", 3),
    ("Marroquín", 3),
    ("Montenegro", 3),
    ("Navarro", 4),
    ("Pineda", 5),
    ("Portillo", 4),
    ("Quintanilla", 3),
    ("Salguero", 2),
    ("Soto", 5),
    ("Urrutia", 2),
    ("Villeda", 2),
    ("Yanes", 2),
    ("de León", 6),
    ("de la Cruz", 6),
    ("del Cid", 3),
    ("de Paz", 2),
    ("de los Santos", 3),
    ("del Valle", 2),
    ("Santos", 6),
    ("Batista", 3),
    ("Almonte", 2),
    ("Pujols", 1),
];

/// Maya surnames, common in western and northern Guatemala.
pub(crate) const MAYA_SURNAMES: &[(&str, u32)] = &[
    ("Xoc", 3),
    ("Tzul", 2),
    ("Cux", 2),
    ("Ajú", 2),
    ("Choc", 4),
    ("Pop", 3),
    ("Caal", 4),
    ("Coc", 3),
    ("Tut", 2),
    ("Chun", 2),
    ("Xol", 2),
    ("Quej", 1),
    ("Ixcot", 1),
    ("Tum", 2),
    ("Chiquín", 1),
    ("Yat", 1),
];

pub(crate) const MALE_GIVEN: &[(&str, u32)] = &[
    ("José", 40),
    ("Juan", 35),
    ("Luis", 25),
    ("Carlos", 25),
    ("Jorge", 18),
    ("Miguel", 18),
    ("Francisco", 16),
    ("Pedro", 12),
    ("Manuel", 14),
    ("Antonio", 14),
    ("Jesús", 12),
    ("Mario", 12),
    ("Marvin", 8),
    ("Byron", 6),
    ("Erick", 8),
    ("Kevin", 10),
    ("Brayan", 8),
    ("Wilson", 6),
    ("Edwin", 8),
    ("Óscar", 10),
    ("Julio", 10),
    ("César", 10),
    ("Roberto", 10),
    ("Ricardo", 8),
    ("Fernando", 8),
    ("Alejandro", 10),
    ("Daniel", 12),
    ("David", 10),
    ("Josué", 8),
    ("Ángel", 10),
    ("Héctor", 6),
    ("Hugo", 6),
    ("Rigoberto", 4),
    ("Selvin", 4),
    ("Wálter", 4),
    ("Eduardo", 8),
    ("Alberto", 8),
    ("Rafael", 6),
    ("Sergio", 6),
    ("Santiago", 6),
    ("Mateo", 6),
    ("Cristian", 8),
    ("Anderson", 4),
    ("Yeison", 3),
    ("Omar", 5),
    ("Ramón", 5),
    ("Gerardo", 5),
    ("Armando", 5),
    ("Esteban", 4),
    ("Ignacio", 3),
];

pub(crate) const FEMALE_GIVEN: &[(&str, u32)] = &[
    ("María", 60),
    ("Ana", 25),
    ("Rosa", 14),
    ("Carmen", 14),
    ("Gloria", 8),
    ("Marta", 10),
    ("Sandra", 10),
    ("Patricia", 10),
    ("Claudia", 10),
    ("Sonia", 8),
    ("Lucía", 10),
    ("Elena", 8),
    ("Alejandra", 8),
    ("Andrea", 10),
    ("Daniela", 10),
    ("Gabriela", 10),
    ("Karla", 8),
    ("Yesenia", 8),
    ("Wendy", 6),
    ("Heidy", 4),
    ("Lesbia", 3),
    ("Ingrid", 5),
    ("Brenda", 6),
    ("Dulce", 4),
    ("Fernanda", 6),
    ("Valeria", 8),
    ("Camila", 8),
    ("Sofía", 10),
    ("Isabel", 8),
    ("Guadalupe", 8),
    ("Josefina", 5),
    ("Dolores", 4),
    ("Mercedes", 5),
    ("Concepción", 3),
    ("Esperanza", 3),
    ("Inés", 4),
    ("Mónica", 6),
    ("Verónica", 6),
    ("Jennifer", 6),
    ("Kimberly", 5),
    ("Dayana", 5),
    ("Yolanda", 5),
    ("Reina", 3),
    ("Marleny", 3),
    ("Olga", 4),
    ("Teresa", 6),
    ("Beatriz", 5),
    ("Julia", 5),
    ("Ximena", 4),
    ("Nayeli", 3),
];

/// Second given names that only make sense after a first one
/// (`María José`, `José Luis`) are drawn from the same tables; these are
/// the favourite pairs.
pub(crate) const MALE_PAIRS: &[&str] =
    &["José Luis", "Juan Carlos", "Luis Fernando", "Carlos Alberto", "José Manuel", "Juan José", "Miguel Ángel"];
pub(crate) const FEMALE_PAIRS: &[&str] =
    &["María José", "Ana María", "María Fernanda", "María de los Ángeles", "María del Carmen", "Rosa María"];

pub(crate) const HAITIAN_MALE: &[&str] =
    &["Jean", "Pierre", "Joseph", "Jean-Baptiste", "Wilner", "Frantz", "Jacques", "Emmanuel", "Ricardo", "Stevenson"];
pub(crate) const HAITIAN_FEMALE: &[&str] =
    &["Marie", "Fabiola", "Nadège", "Roseline", "Guerda", "Mirlande", "Widline", "Esther", "Lourdes", "Nathalie"];
pub(crate) const HAITIAN_SURNAMES: &[&str] = &[
    "Jean-Baptiste",
    "Pierre",
    "Joseph",
    "Charles",
    "Louis",
    "Saint-Fleur",
    "Désir",
    "Augustin",
    "Étienne",
    "Jean-Louis",
    "François",
    "Michel",
    "Célestin",
    "Dorvil",
];

pub(crate) const ANGLO_MALE: &[&str] =
    &["James", "John", "Robert", "Michael", "William", "David", "Daniel", "Matthew", "Andrew", "Kevin", "Brian"];
pub(crate) const ANGLO_FEMALE: &[&str] =
    &["Mary", "Jennifer", "Linda", "Sarah", "Jessica", "Emily", "Ashley", "Megan", "Laura", "Rachel", "Anne"];
pub(crate) const ANGLO_SURNAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas",
    "Moore", "Martin", "Young", "Clark", "Lewis", "Walker", "Hall", "Allen", "Flowers", "Gentle", "Usher", "Young",
];

/// A person's name as it really is (the reference that records vary from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    pub given: Vec<&'static str>,
    /// Surname tokens in order (father's, mother's, a married woman's
    /// `de Husband` …); may hold a single surname.
    pub surnames: Vec<String>,
}

impl Name {
    pub fn given_text(&self) -> String {
        self.given.join(" ")
    }
    pub fn surnames_text(&self) -> String {
        self.surnames.join(" ")
    }
}

// The explicit derefs pick `&'static str` out of the tables; without them
// inference looks for a table of `str`.
#[allow(clippy::explicit_auto_deref)]
fn pick_surname(rng: &mut Rng, style: NameStyle) -> &'static str {
    match style {
        NameStyle::Guatemalan if rng.chance(0.18) => *rng.weighted(MAYA_SURNAMES),
        NameStyle::Haitian => *rng.pick(HAITIAN_SURNAMES),
        NameStyle::Anglo => *rng.pick(ANGLO_SURNAMES),
        _ => *rng.weighted(SURNAMES),
    }
}

/// Given names of the style and sex.
pub(crate) fn given(rng: &mut Rng, style: NameStyle, female: bool) -> Vec<&'static str> {
    match style {
        NameStyle::Hispanic | NameStyle::Guatemalan => {
            let roll = rng.unit();
            if roll < 0.12 {
                // A pair written as one unit (`María José`): kept together.
                vec![*rng.pick(if female { FEMALE_PAIRS } else { MALE_PAIRS })]
            } else if roll < 0.62 {
                let t = if female { FEMALE_GIVEN } else { MALE_GIVEN };
                let a = *rng.weighted(t);
                let b = *rng.weighted(t);
                if a == b { vec![a] } else { vec![a, b] }
            } else {
                vec![*rng.weighted(if female { FEMALE_GIVEN } else { MALE_GIVEN })]
            }
        }
        NameStyle::Haitian => {
            let t = if female { HAITIAN_FEMALE } else { HAITIAN_MALE };
            if rng.chance(0.4) { vec![*rng.pick(t), *rng.pick(t)] } else { vec![*rng.pick(t)] }
        }
        NameStyle::Anglo => {
            let t = if female { ANGLO_FEMALE } else { ANGLO_MALE };
            let a = *rng.pick(t);
            let b = *rng.pick(t);
            if a != b && rng.chance(0.6) { vec![a, b] } else { vec![a] }
        }
    }
}

/// A full name of the style: given names and one or two surnames.
pub(crate) fn person_name(rng: &mut Rng, style: NameStyle, female: bool) -> Name {
    let given = given(rng, style, female);
    let surnames = match style {
        NameStyle::Hispanic | NameStyle::Guatemalan => {
            let a = pick_surname(rng, style);
            let mut b = pick_surname(rng, style);
            if b == a && rng.chance(0.7) {
                b = pick_surname(rng, style);
            }
            let mut s = vec![a.to_string()];
            // Some records of the region carry a single surname.
            if !rng.chance(0.04) {
                s.push(b.to_string());
            }
            s
        }
        _ => vec![pick_surname(rng, style).to_string()],
    };
    Name { given, surnames }
}

/// Folds the accents and `Ñ` of Spanish and French names to plain ASCII, as
/// a keyboard without them or an MRZ (ICAO Doc 9303: `Ñ` → `N`) writes them.
pub(crate) fn fold_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'Á' | 'À' | 'Â' | 'Ä' => 'A',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'Ó' | 'Ò' | 'Ô' | 'Ö' => 'O',
            'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
            'Ñ' => 'N',
            'Ç' => 'C',
            c => c,
        })
        .collect()
}

/// As an MRZ prints a name: upper case, ASCII, hyphens as spaces.
pub(crate) fn mrz_style(s: &str) -> String {
    fold_ascii(s).to_uppercase().replace('-', " ")
}

/// One typing error in one word of `s`: a letter confused by sound or by
/// key (b/v, s/z, y/ll, i/y …), dropped, doubled or swapped with the next.
pub(crate) fn typo(rng: &mut Rng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    // Not the first letter of a word: people rarely get that wrong.
    let letters: Vec<usize> =
        (1..chars.len()).filter(|&i| chars[i].is_alphabetic() && chars[i - 1].is_alphabetic()).collect();
    if letters.len() < 2 {
        return s.to_string();
    }
    let i = letters[rng.index(letters.len())];
    let upper = chars[i].is_uppercase();
    let case = |c: char| if upper { c.to_ascii_uppercase() } else { c };
    match rng.below(4) {
        0 => {
            let lower = chars[i].to_lowercase().next().unwrap_or(chars[i]);
            let sub = match lower {
                'b' => 'v',
                'v' => 'b',
                's' => 'z',
                'z' => 's',
                'c' => 's',
                'y' => 'i',
                'i' => 'y',
                'g' => 'j',
                'j' => 'g',
                'n' => 'm',
                'm' => 'n',
                'e' => 'i',
                'o' => 'u',
                _ => 'a',
            };
            chars[i] = case(sub);
        }
        1 => {
            chars.remove(i);
        }
        2 => {
            chars.insert(i, chars[i]);
        }
        _ => {
            if i + 1 < chars.len() && chars[i + 1].is_alphabetic() {
                chars.swap(i, i + 1);
            } else {
                chars.remove(i);
            }
        }
    }
    chars.into_iter().collect()
}

/// A spelling variant for an alert list or a record: a typo, a dropped
/// second surname, accents lost, or a sound-alike given name. Differs from
/// the input whenever the name has a word of three letters or more.
pub(crate) fn variant(rng: &mut Rng, given: &str, surnames: &str) -> (String, String) {
    for _ in 0..8 {
        let v = variant_once(rng, given, surnames);
        if v.0 != given || v.1 != surnames {
            return v;
        }
    }
    (given.to_string(), surnames.to_string())
}

fn variant_once(rng: &mut Rng, given: &str, surnames: &str) -> (String, String) {
    match rng.below(4) {
        0 => (given.to_string(), typo(rng, surnames)),
        1 => (typo(rng, given), surnames.to_string()),
        2 => {
            let first = surnames.split(' ').next().unwrap_or(surnames);
            // Keep particles with the surname they belong to.
            let first = if matches!(first, "de" | "del") { surnames } else { first };
            (fold_ascii(given), first.to_string())
        }
        _ => {
            let g = given
                .replace("Yesenia", "Yessenia")
                .replace("Jennifer", "Yennifer")
                .replace("Brayan", "Bryan")
                .replace("Kimberly", "Kimberlyn")
                .replace("Heidy", "Heidi")
                .replace("Wendy", "Wendi")
                .replace("Josué", "Josue")
                .replace("Yeison", "Jeison");
            let g = if g == given { typo(rng, given) } else { g };
            (g, fold_ascii(surnames))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_mrz() {
        assert_eq!(fold_ascii("Núñez Peña"), "Nunez Pena");
        assert_eq!(mrz_style("Jean-Baptiste Désir"), "JEAN BAPTISTE DESIR");
    }

    #[test]
    fn typos_change_little() {
        let mut r = Rng::new(3);
        for _ in 0..200 {
            let t = typo(&mut r, "Hernández");
            assert!(t != "Hernández" || t.is_empty() || t.len() + 2 >= "Hernández".len());
            assert!(t.chars().count().abs_diff(9) <= 1, "{t}");
            assert!(t.starts_with('H'));
        }
    }

    #[test]
    fn variants_differ() {
        let mut r = Rng::new(9);
        for (g, s) in [("Dolores", "Orellana"), ("Ana", "Paz"), ("María José", "de la Cruz")] {
            for _ in 0..50 {
                assert_ne!(variant(&mut r, g, s), (g.to_string(), s.to_string()));
            }
        }
    }

    #[test]
    fn names_have_given_and_surnames() {
        let mut r = Rng::new(5);
        for style in [NameStyle::Hispanic, NameStyle::Guatemalan, NameStyle::Haitian, NameStyle::Anglo] {
            for _ in 0..100 {
                let female = r.chance(0.5);
                let n = person_name(&mut r, style, female);
                assert!(!n.given.is_empty() && !n.surnames.is_empty());
                assert!(n.given_text().chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-'));
            }
        }
    }
}
