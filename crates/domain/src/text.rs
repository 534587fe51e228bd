//! Text a seller types is kept as typed (Tibetan, Chinese, any Unicode), only
//! trimmed, and bounded so that one field can never fill a tablet or a request.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Trims `input` and checks it against the field's limits. Lengths count
/// Unicode scalar values, so a Tibetan stack of four code points counts four:
/// the limit bounds storage, not what the eye sees.
fn bounded(
    field: &'static str,
    input: &str,
    max: usize,
    multiline: bool,
) -> Result<String, DomainError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DomainError::Empty { field });
    }
    let len = text.chars().count();
    if len > max {
        return Err(DomainError::TooLong { field, len, max });
    }
    let forbidden = |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\t'));
    if text.chars().any(forbidden) {
        return Err(DomainError::ControlCharacter { field });
    }
    Ok(text.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr, $multiline:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(input: &str) -> Result<Self, DomainError> {
                bounded($field, input, $max, $multiline).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(t: $name) -> String {
                t.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A listing's title: one line, 1 to 200 characters.
    Title, "title", 200, false
);
text_type!(
    /// A longer free text (a listing's description, a lot's growing
    /// environment): several lines, up to 2,000 characters.
    Description, "description", 2000, true
);
text_type!(
    /// A name or place (a village, a buyer): one line, up to 100 characters.
    ShortText, "text", 100, false
);
text_type!(
    /// Why stock changed or an order was declined: one line, up to 200 characters.
    Reason, "reason", 200, false
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_tibetan_and_chinese_as_typed_but_trimmed() {
        let t = Title::parse("  བོད་ཀྱི་གཡག་ཤ 牦牛肉  ").unwrap();
        assert_eq!(t.as_str(), "བོད་ཀྱི་གཡག་ཤ 牦牛肉");
    }

    #[test]
    fn refuses_empty_overlong_and_control_characters() {
        assert_eq!(
            Title::parse("   "),
            Err(DomainError::Empty { field: "title" })
        );
        assert!(Title::parse(&"ཀ".repeat(200)).is_ok());
        assert_eq!(
            Title::parse(&"ཀ".repeat(201)),
            Err(DomainError::TooLong {
                field: "title",
                len: 201,
                max: 200
            })
        );
        assert!(Title::parse("a\nb").is_err());
        assert!(Description::parse("line one\nline two").is_ok());
        assert!(Description::parse("bell\u{7}").is_err());
    }

    #[test]
    fn deserialising_applies_the_same_rules() {
        assert!(serde_json::from_str::<Title>("\"\"").is_err());
        assert_eq!(
            serde_json::from_str::<Title>("\" 蜂蜜 \"")
                .unwrap()
                .as_str(),
            "蜂蜜"
        );
    }
}
