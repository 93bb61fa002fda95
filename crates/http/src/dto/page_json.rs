//! A page's JSON, written by hand: the bytes serde writes for [`SessionList`],
//! without its per-value work. Keys are literals, ids and instants are
//! copied from fixed-size text with nothing to escape, and only the device's
//! free-form strings are scanned for escapes. A property test holds the two
//! byte for byte, so serde's output stays the definition of the shape.
//!
//! Through serde, writing a page was nearly a fifth of a request's CPU;
//! written this way, a request costs 0.87× the CPU (docs/PERFORMANCE.md).

use sessions_domain::{Session, Timestamp};

use super::SessionList;

/// A session is about 300 bytes of JSON: with room for 384 each, a page is
/// written into one allocation, never regrown and copied.
const BYTES_PER_SESSION: usize = 384;

impl SessionList<'_> {
    /// The page as the JSON body of a 200.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + BYTES_PER_SESSION * self.sessions.len());
        out.extend_from_slice(b"{\"sessions\":[");
        for (index, session) in self.sessions.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            write_session(&mut out, session);
        }
        out.push(b']');
        if let Some(cursor) = self.next_cursor {
            out.extend_from_slice(b",\"nextCursor\":");
            write_instant(&mut out, cursor);
        }
        out.push(b'}');
        out
    }
}

fn write_session(out: &mut Vec<u8>, session: &Session) {
    let mut uuid = [0; 36];
    out.extend_from_slice(b"{\"sessionId\":\"");
    out.extend_from_slice(
        session
            .id
            .as_uuid()
            .hyphenated()
            .encode_lower(&mut uuid)
            .as_bytes(),
    );
    out.extend_from_slice(b"\",\"organizationId\":");
    write_decimal(out, session.organization_id.get().unsigned_abs());
    out.extend_from_slice(b",\"userId\":\"");
    out.extend_from_slice(
        session
            .user_id
            .as_uuid()
            .hyphenated()
            .encode_lower(&mut uuid)
            .as_bytes(),
    );
    out.extend_from_slice(b"\",\"device\":{\"deviceId\":");
    let device = &session.device;
    write_string(out, &device.device_id);
    out.extend_from_slice(b",\"platform\":\"");
    out.extend_from_slice(device.platform.as_str().as_bytes());
    out.extend_from_slice(b"\",\"type\":\"");
    out.extend_from_slice(device.device_type.as_str().as_bytes());
    out.extend_from_slice(b"\",\"name\":");
    write_string(out, &device.name);
    out.extend_from_slice(b",\"osVersion\":");
    write_string(out, &device.os_version);
    out.extend_from_slice(b"},\"createdAt\":");
    write_instant(out, session.created_at);
    out.extend_from_slice(b",\"releasedAt\":");
    match session.released_at {
        Some(released_at) => write_instant(out, released_at),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

fn write_decimal(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

fn write_instant(out: &mut Vec<u8>, instant: Timestamp) {
    out.push(b'"');
    out.extend_from_slice(instant.to_rfc3339().as_bytes());
    out.push(b'"');
}

/// A JSON string as serde_json writes it: `"` and `\` escaped, the control
/// characters below U+0020 as `\b \t \n \f \r` or `\u00XX`, everything else
/// as it is.
fn write_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0c => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1f => {
                out.extend_from_slice(&bytes[clean_from..index]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
                clean_from = index + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[clean_from..index]);
        out.extend_from_slice(escape);
        clean_from = index + 1;
    }
    out.extend_from_slice(&bytes[clean_from..]);
    out.push(b'"');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use sessions_domain::{Device, DeviceType, OrganizationId, Platform, Timestamp};

    use super::*;

    fn instant() -> impl Strategy<Value = Timestamp> {
        prop_oneof![
            // Anywhere in the type's range, and whole seconds, whose
            // fraction is trimmed away entirely.
            (Timestamp::MIN.unix_micros()..=Timestamp::MAX.unix_micros()),
            (-62_135_596_800_i64..=253_402_300_799).prop_map(|seconds| seconds * 1_000_000),
        ]
        .prop_filter_map("in range", Timestamp::from_unix_micros)
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            // Dense in what needs escaping.
            proptest::collection::vec(
                prop_oneof![
                    (0_u8..0x20).prop_map(char::from),
                    Just('"'),
                    Just('\\'),
                    Just('/'),
                    Just('\u{7f}'),
                    Just('é'),
                    Just('\u{2028}'),
                    any::<char>(),
                ],
                0..12
            )
            .prop_map(String::from_iter),
        ]
    }

    fn session() -> impl Strategy<Value = Session> {
        (
            (
                uuid_id(),
                (1..=i64::MAX).prop_filter_map("positive", OrganizationId::new),
                uuid_id(),
            ),
            (text(), any::<bool>(), 0..3_usize, text(), text()),
            (instant(), proptest::option::of(instant())),
        )
            .prop_map(
                |(
                    (id, organization_id, user_id),
                    (device_id, ios, kind, name, os_version),
                    (created_at, released_at),
                )| Session {
                    id,
                    organization_id,
                    user_id,
                    device: Device {
                        device_id: device_id.into(),
                        platform: if ios {
                            Platform::Ios
                        } else {
                            Platform::Android
                        },
                        device_type: DeviceType::ALL[kind],
                        name: name.into(),
                        os_version: os_version.into(),
                    },
                    created_at,
                    released_at,
                },
            )
    }

    /// Any id of a UUID type, from its 32 hex digits.
    fn uuid_id<T: std::str::FromStr + std::fmt::Debug>() -> impl Strategy<Value = T> {
        any::<u128>().prop_filter_map("a UUID", |bits| format!("{bits:032x}").parse().ok())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn writes_the_bytes_serde_writes(
            sessions in proptest::collection::vec(session(), 0..5),
            next_cursor in proptest::option::of(instant()),
        ) {
            let list = SessionList { sessions: &sessions, next_cursor };
            let by_serde = serde_json::to_vec(&list).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let by_hand = list.to_json();
            prop_assert_eq!(String::from_utf8_lossy(&by_hand), String::from_utf8_lossy(&by_serde));
        }
    }

    #[test]
    fn escapes_as_serde_json_does() {
        let mut out = Vec::new();
        write_string(&mut out, "a\"b\\c\u{0}\u{1f}\u{8}\u{c}\n\r\t\u{7f}é/");
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#""a\"b\\c\u0000\u001f\b\f\n\r\t"#.to_owned() + "\u{7f}é/\""
        );
    }
}
