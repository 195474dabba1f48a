//! A BER-TLV reader for the LDS files, written by hand.
//!
//! Why not the `der` crate: the LDS wraps every file in application-class
//! tags (`61` DG1, `75` DG2, `77` EF.SOD) and uses multi-byte tag numbers
//! (`5F1F` the MRZ, `7F61` a biometric group, `5F2E` a biometric data
//! block) inside templates that are not ASN.1 modules at all (ISO 7816-4
//! data objects). `der`'s typed decoders want a schema and a DER encoding;
//! these are a flat tag → bytes walk. Every length is checked against what
//! is left, tags are at most three bytes, lengths at most four, and the
//! indefinite form is refused — so nothing here can read out of bounds or
//! allocate by a length it was told.

use std::fmt;

/// One data object: its tag (up to three bytes, as written), its value and
/// the whole encoding (tag, length and value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

/// Why a TLV could not be read. Names no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlvError {
    /// The input ends inside a tag, a length or a value.
    Truncated,
    /// A tag longer than three bytes.
    BadTag,
    /// The indefinite form, or a length of more than four bytes.
    BadLength,
    /// Another tag where this one was required.
    Unexpected { expected: u32, found: u32 },
    /// Bytes after the object that should have been the whole input.
    Trailing,
}

impl fmt::Display for TlvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlvError::Truncated => f.write_str("truncated TLV"),
            TlvError::BadTag => f.write_str("tag longer than three bytes"),
            TlvError::BadLength => f.write_str("indefinite or over-long length"),
            TlvError::Unexpected { expected, found } => {
                write!(f, "tag {found:X} where {expected:X} was expected")
            }
            TlvError::Trailing => f.write_str("bytes after the end of the object"),
        }
    }
}

impl std::error::Error for TlvError {}

/// Reads one TLV from the front of `input`; returns it and what follows.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let mut pos = 0usize;
    let first = *input.first().ok_or(TlvError::Truncated)?;
    pos += 1;
    let mut tag = u32::from(first);
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(pos).ok_or(TlvError::Truncated)?;
            pos += 1;
            if pos > 3 {
                return Err(TlvError::BadTag);
            }
            tag = (tag << 8) | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let l0 = *input.get(pos).ok_or(TlvError::Truncated)?;
    pos += 1;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7F);
        if n == 0 || n > 4 {
            return Err(TlvError::BadLength);
        }
        let bytes = input.get(pos..pos + n).ok_or(TlvError::Truncated)?;
        pos += n;
        bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let end = pos.checked_add(len).ok_or(TlvError::Truncated)?;
    let value = input.get(pos..end).ok_or(TlvError::Truncated)?;
    Ok((Tlv { tag, value, raw: &input[..end] }, &input[end..]))
}

/// Reads `input` as exactly one TLV with tag `expected`.
pub fn read_only(input: &[u8], expected: u32) -> Result<Tlv<'_>, TlvError> {
    let (tlv, rest) = read(input)?;
    if tlv.tag != expected {
        return Err(TlvError::Unexpected { expected, found: tlv.tag });
    }
    if !rest.is_empty() {
        return Err(TlvError::Trailing);
    }
    Ok(tlv)
}

/// Reads one TLV with tag `expected` from the front of `input`.
pub fn read_tag(input: &[u8], expected: u32) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (tlv, rest) = read(input)?;
    if tlv.tag != expected {
        return Err(TlvError::Unexpected { expected, found: tlv.tag });
    }
    Ok((tlv, rest))
}

/// The TLVs one after another in `input`, stopping at the first error.
pub fn iter(input: &[u8]) -> impl Iterator<Item = Result<Tlv<'_>, TlvError>> {
    let mut rest = input;
    let mut failed = false;
    std::iter::from_fn(move || {
        if rest.is_empty() || failed {
            return None;
        }
        match read(rest) {
            Ok((tlv, r)) => {
                rest = r;
                Some(Ok(tlv))
            }
            Err(e) => {
                failed = true;
                Some(Err(e))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_multibyte() {
        let (t, rest) = read(&[0x5F, 0x1F, 0x02, b'A', b'B', 0xFF]).unwrap();
        assert_eq!(t.tag, 0x5F1F);
        assert_eq!(t.value, b"AB");
        assert_eq!(rest, &[0xFF]);
        let mut long = vec![0x75, 0x82, 0x01, 0x00];
        long.extend(std::iter::repeat_n(7u8, 256));
        let t = read_only(&long, 0x75).unwrap();
        assert_eq!(t.value.len(), 256);
    }

    #[test]
    fn refuses_bad_input() {
        assert_eq!(read(&[]), Err(TlvError::Truncated));
        assert_eq!(read(&[0x61, 0x05, 1, 2]), Err(TlvError::Truncated));
        assert_eq!(read(&[0x61, 0x80]), Err(TlvError::BadLength));
        assert_eq!(read(&[0x61, 0x85, 0, 0, 0, 0, 1]), Err(TlvError::BadLength));
        assert_eq!(read(&[0x7F, 0xFF, 0xFF, 0x01, 0x00]), Err(TlvError::BadTag));
        assert_eq!(read_only(&[0x61, 0x00, 0x00], 0x61), Err(TlvError::Trailing));
        assert_eq!(read_only(&[0x62, 0x00], 0x61), Err(TlvError::Unexpected { expected: 0x61, found: 0x62 }));
    }
}
