//! The LDS files other than EF.SOD: EF.COM, DG1 (the MRZ), DG2 (the face),
//! DG11 and DG12 (additional personal and document details). ICAO Doc 9303
//! Part 10. Each parser takes the file's bytes as the chip delivers them.

use serde::Serialize;

use crate::ParseError;
use crate::tlv::{self, TlvError};

/// The largest DG1 accepted: a TD1 MRZ is 90 characters.
pub const MAX_DG1: usize = 512;
/// The largest DG2 accepted (a face image is 10–100 kB in practice).
pub const MAX_DG2: usize = 2 * 1024 * 1024;
/// The largest EF.COM, DG11 or DG12 accepted.
pub const MAX_SMALL_FILE: usize = 64 * 1024;

/// The data group a file tag stands for (Doc 9303 Part 10, table 34), or
/// `None` for another tag.
pub fn group_of_tag(tag: u32) -> Option<u8> {
    Some(match tag {
        0x61 => 1,
        0x75 => 2,
        0x63 => 3,
        0x76 => 4,
        0x65 => 5,
        0x66 => 6,
        0x67 => 7,
        0x68 => 8,
        0x69 => 9,
        0x6A => 10,
        0x6B => 11,
        0x6C => 12,
        0x6D => 13,
        0x6E => 14,
        0x6F => 15,
        0x70 => 16,
        _ => return None,
    })
}

fn check_size(bytes: &[u8], max: usize, file: &'static str) -> Result<(), ParseError> {
    if bytes.len() > max {
        return Err(ParseError::TooLarge { file, max });
    }
    Ok(())
}

fn tlv_err(file: &'static str) -> impl Fn(TlvError) -> ParseError {
    move |e| ParseError::Tlv { file, error: e }
}

/// EF.COM: the LDS version and the data groups present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EfCom {
    /// `aabb` for LDS version aa.bb, as written.
    pub lds_version: String,
    /// `aabbcc` for Unicode aa.bb.cc, as written.
    pub unicode_version: String,
    /// The data groups the chip holds, by number, in the chip's order.
    pub groups: Vec<u8>,
}

impl EfCom {
    pub fn parse(bytes: &[u8]) -> Result<EfCom, ParseError> {
        const FILE: &str = "EF.COM";
        check_size(bytes, MAX_SMALL_FILE, FILE)?;
        let outer = tlv::read_only(bytes, 0x60).map_err(tlv_err(FILE))?;
        let mut com = EfCom { lds_version: String::new(), unicode_version: String::new(), groups: Vec::new() };
        let mut seen_list = false;
        for item in tlv::iter(outer.value) {
            let item = item.map_err(tlv_err(FILE))?;
            match item.tag {
                0x5F01 => com.lds_version = ascii_digits(item.value, 4, FILE)?,
                0x5F36 => com.unicode_version = ascii_digits(item.value, 6, FILE)?,
                0x5C => {
                    seen_list = true;
                    for &t in item.value {
                        let g = group_of_tag(u32::from(t)).ok_or(ParseError::Invalid {
                            file: FILE,
                            what: "unknown data group tag in the tag list",
                        })?;
                        com.groups.push(g);
                    }
                }
                _ => {}
            }
        }
        if !seen_list {
            return Err(ParseError::Invalid { file: FILE, what: "no tag list (5C)" });
        }
        Ok(com)
    }
}

fn ascii_digits(v: &[u8], len: usize, file: &'static str) -> Result<String, ParseError> {
    if v.len() != len || !v.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::Invalid { file, what: "a version that is not digits of the right length" });
    }
    Ok(String::from_utf8_lossy(v).into_owned())
}

/// DG1: the MRZ as the chip holds it, split into its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dg1 {
    pub lines: Vec<String>,
}

impl Dg1 {
    pub fn parse(bytes: &[u8]) -> Result<Dg1, ParseError> {
        const FILE: &str = "DG1";
        check_size(bytes, MAX_DG1, FILE)?;
        let outer = tlv::read_only(bytes, 0x61).map_err(tlv_err(FILE))?;
        let mrz = tlv::read_only(outer.value, 0x5F1F).map_err(tlv_err(FILE))?;
        let text = mrz.value;
        if !text.iter().all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<') {
            return Err(ParseError::Invalid { file: FILE, what: "MRZ characters outside A-Z, 0-9 and <" });
        }
        let width = match text.len() {
            90 => 30,
            72 => 36,
            88 => 44,
            _ => {
                return Err(ParseError::Invalid {
                    file: FILE,
                    what: "an MRZ of neither 90 (TD1), 72 (TD2) nor 88 (TD3) characters",
                });
            }
        };
        // The characters are checked ASCII above, so every chunk is UTF-8.
        let lines: Vec<String> = text.chunks(width).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        centinela_mrz::Zone::from_lines(&refs)
            .map_err(|_| ParseError::Invalid { file: FILE, what: "an MRZ the MRZ reader refuses" })?;
        Ok(Dg1 { lines })
    }

    /// The zone, for the MRZ reader.
    pub fn zone(&self) -> centinela_mrz::Zone<'_> {
        let refs: Vec<&str> = self.lines.iter().map(String::as_str).collect();
        // Checked by `parse`, and a `Dg1` is only made there.
        match centinela_mrz::Zone::from_lines(&refs) {
            Ok(z) => z,
            Err(_) => unreachable!("DG1 lines were read by Zone::from_lines in parse"),
        }
    }

    /// The MRZ as one string, lines joined by `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// The encoding of a face image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    Jpeg,
    Jpeg2000,
}

impl ImageFormat {
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Jpeg2000 => "image/jp2",
        }
    }
}

/// One face of DG2: the ISO/IEC 19794-5 header's image fields and the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Face {
    pub format: ImageFormat,
    pub width: u16,
    pub height: u16,
    #[serde(skip)]
    pub image: Vec<u8>,
}

/// DG2: the encoded faces (usually one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dg2 {
    pub faces: Vec<Face>,
}

/// At most this many faces in one DG2.
const MAX_FACES: usize = 8;

impl Dg2 {
    pub fn parse(bytes: &[u8]) -> Result<Dg2, ParseError> {
        const FILE: &str = "DG2";
        let invalid = |what| ParseError::Invalid { file: FILE, what };
        check_size(bytes, MAX_DG2, FILE)?;
        let outer = tlv::read_only(bytes, 0x75).map_err(tlv_err(FILE))?;
        let group = tlv::read_only(outer.value, 0x7F61).map_err(tlv_err(FILE))?;
        let mut faces = Vec::new();
        let mut declared = None;
        for item in tlv::iter(group.value) {
            let item = item.map_err(tlv_err(FILE))?;
            match item.tag {
                0x02 => {
                    if item.value.len() != 1 {
                        return Err(invalid("a face count that is not one byte"));
                    }
                    declared = Some(usize::from(item.value[0]));
                }
                0x7F60 => {
                    if faces.len() == MAX_FACES {
                        return Err(invalid("more than 8 faces"));
                    }
                    let mut block = None;
                    for inner in tlv::iter(item.value) {
                        let inner = inner.map_err(tlv_err(FILE))?;
                        // 5F2E plain, 7F2E enciphered (not read here).
                        match inner.tag {
                            0x5F2E => block = Some(inner.value),
                            0x7F2E => return Err(invalid("an enciphered biometric block")),
                            _ => {}
                        }
                    }
                    let block = block.ok_or(invalid("a face without a biometric block (5F2E)"))?;
                    faces.push(parse_face_record(block).map_err(invalid)?);
                }
                _ => {}
            }
        }
        if faces.is_empty() {
            return Err(invalid("no face"));
        }
        if declared.is_some_and(|n| n != faces.len()) {
            return Err(invalid("a face count that differs from the faces present"));
        }
        Ok(Dg2 { faces })
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// An ISO/IEC 19794-5:2005 facial record: the general header (14 bytes),
/// the first face's information (20 bytes and 8 per feature point), the
/// image information (12 bytes), then the image to the end of the face block.
fn parse_face_record(b: &[u8]) -> Result<Face, &'static str> {
    const TRUNC: &str = "a face record shorter than its header says";
    if b.get(0..4) != Some(b"FAC\0") {
        return Err("a face record without the FAC signature");
    }
    let record_len = be32(b, 8).ok_or(TRUNC)? as usize;
    if record_len > b.len() || record_len < 14 {
        return Err(TRUNC);
    }
    let count = be16(b, 12).ok_or(TRUNC)?;
    if count == 0 {
        return Err("a face record with no face");
    }
    let face = 14;
    let block_len = be32(b, face).ok_or(TRUNC)? as usize;
    let points = usize::from(be16(b, face + 4).ok_or(TRUNC)?);
    let image_info = face + 20 + points * 8;
    let block_end = face.checked_add(block_len).ok_or(TRUNC)?;
    if block_end > record_len || image_info + 12 > block_end {
        return Err(TRUNC);
    }
    let data_type = b[image_info + 1];
    let width = be16(b, image_info + 2).ok_or(TRUNC)?;
    let height = be16(b, image_info + 4).ok_or(TRUNC)?;
    let image = &b[image_info + 12..block_end];
    let format = match data_type {
        0 => ImageFormat::Jpeg,
        1 => ImageFormat::Jpeg2000,
        _ => return Err("an image data type neither JPEG nor JPEG 2000"),
    };
    let magic_ok = match format {
        ImageFormat::Jpeg => image.starts_with(&[0xFF, 0xD8, 0xFF]),
        ImageFormat::Jpeg2000 => {
            image.starts_with(&[0, 0, 0, 0x0C, b'j', b'P', b' ', b' ']) || image.starts_with(&[0xFF, 0x4F, 0xFF, 0x51])
        }
    };
    if !magic_ok {
        return Err("an image whose bytes do not match its declared type");
    }
    Ok(Face { format, width, height, image: image.to_vec() })
}

/// Builds a DG2 around one image (the inverse of [`Dg2::parse`]), for tests
/// and for the test PKI.
pub fn encode_dg2(format: ImageFormat, width: u16, height: u16, image: &[u8]) -> Vec<u8> {
    let mut face = Vec::new();
    let block_len = 20 + 12 + image.len();
    face.extend_from_slice(&(block_len as u32).to_be_bytes());
    face.extend_from_slice(&0u16.to_be_bytes()); // feature points
    face.extend_from_slice(&[0, 0]); // gender, eye colour
    face.extend_from_slice(&[0]); // hair colour
    face.extend_from_slice(&[0, 0, 0]); // property mask
    face.extend_from_slice(&[0, 0]); // expression
    face.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // pose and uncertainty
    face.push(1); // face image type: full frontal
    face.push(match format {
        ImageFormat::Jpeg => 0,
        ImageFormat::Jpeg2000 => 1,
    });
    face.extend_from_slice(&width.to_be_bytes());
    face.extend_from_slice(&height.to_be_bytes());
    face.extend_from_slice(&[1, 0, 0, 0, 0, 0]); // colour space, source, device, quality
    face.extend_from_slice(image);
    let mut record = b"FAC\x00010\x00".to_vec();
    record.extend_from_slice(&((14 + face.len()) as u32).to_be_bytes());
    record.extend_from_slice(&1u16.to_be_bytes());
    record.extend_from_slice(&face);
    let block = crate::tlv_encode(0x5F2E, &record);
    let mut bht = crate::tlv_encode(0x87, &[0x01, 0x01]); // format owner
    bht.extend(crate::tlv_encode(0x88, &[0x00, 0x08])); // format type
    let mut inst = crate::tlv_encode(0xA1, &bht);
    inst.extend(block);
    let mut group = crate::tlv_encode(0x02, &[1]);
    group.extend(crate::tlv_encode(0x7F60, &inst));
    crate::tlv_encode(0x75, &crate::tlv_encode(0x7F61, &group))
}

/// Builds DG1 around an MRZ (its lines joined without separators).
pub fn encode_dg1(mrz: &str) -> Vec<u8> {
    let flat: String = mrz.split_whitespace().collect();
    crate::tlv_encode(0x61, &crate::tlv_encode(0x5F1F, flat.as_bytes()))
}

/// One text field of DG11 or DG12.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextField {
    /// The field's name (`full_name`, `place_of_birth`, …) or its tag in hex.
    pub field: String,
    pub value: String,
}

/// DG11 (additional personal details) or DG12 (additional document details):
/// the text fields, and the tags of binary ones (images) present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Details {
    pub fields: Vec<TextField>,
    pub binary: Vec<String>,
}

fn field_name(tag: u32) -> Option<&'static str> {
    Some(match tag {
        0x5F0E => "full_name",
        0x5F0F => "other_names",
        0x5F10 => "personal_number",
        0x5F2B => "full_birth_date",
        0x5F11 => "place_of_birth",
        0x5F42 => "permanent_address",
        0x5F12 => "telephone",
        0x5F13 => "profession",
        0x5F14 => "title",
        0x5F15 => "personal_summary",
        0x5F17 => "other_travel_documents",
        0x5F18 => "custody_information",
        0x5F19 => "issuing_authority",
        0x5F26 => "date_of_issue",
        0x5F1A => "other_persons",
        0x5F1B => "endorsements",
        0x5F1C => "tax_exit_requirements",
        0x5F55 => "personalization_time",
        0x5F56 => "personalization_system_serial",
        _ => return None,
    })
}

/// At most this many characters kept of one text field.
const MAX_FIELD: usize = 1024;

impl Details {
    /// DG11 (`group` 11, tag 6B) or DG12 (`group` 12, tag 6C).
    pub fn parse(bytes: &[u8], group: u8) -> Result<Details, ParseError> {
        let (file, tag) = match group {
            11 => ("DG11", 0x6B),
            12 => ("DG12", 0x6C),
            _ => {
                return Err(ParseError::Invalid { file: "DG", what: "details are DG11 or DG12" });
            }
        };
        check_size(bytes, MAX_SMALL_FILE, file)?;
        let outer = tlv::read_only(bytes, tag).map_err(tlv_err(file))?;
        let mut d = Details { fields: Vec::new(), binary: Vec::new() };
        for item in tlv::iter(outer.value) {
            let item = item.map_err(tlv_err(file))?;
            if item.tag == 0x5C {
                continue;
            }
            let name = field_name(item.tag);
            match (name, std::str::from_utf8(item.value)) {
                (Some(n), Ok(s)) if s.len() <= MAX_FIELD && !s.chars().any(char::is_control) => {
                    d.fields.push(TextField { field: n.to_owned(), value: s.to_owned() })
                }
                _ => d.binary.push(format!("{:X}", item.tag)),
            }
        }
        Ok(d)
    }
}
