use thiserror::Error;

/// Why a value from a seller, a file or the network was refused.
///
/// Messages are English sentences for logs and the command line; front ends that
/// speak other languages branch on [`DomainError::code`] instead of the text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("{field} must be a positive amount of yuan such as 68, 68.5 or 68.50, not {input:?}")]
    InvalidMoney { field: &'static str, input: String },
    #[error("{field} must be more than zero")]
    NotPositive { field: &'static str },
    #[error("{field} is too large")]
    TooLarge { field: &'static str },
    #[error("quantity must be a number such as 2 or 2.5, not {input:?}")]
    InvalidQuantity { input: String },
    #[error("{unit} is counted in whole units, so {input:?} is not a valid quantity")]
    NotWhole { unit: &'static str, input: String },
    #[error("{input:?} is finer than one {base} and cannot be recorded exactly")]
    TooPrecise { input: String, base: &'static str },
    #[error("unknown unit {input:?}; use one of: {known}")]
    UnknownUnit { input: String, known: String },
    #[error("unknown category {input:?}; use one of: {known}")]
    UnknownCategory { input: String, known: String },
    #[error("unknown {what} {input:?}; use one of: {known}")]
    UnknownChoice {
        what: &'static str,
        input: String,
        known: String,
    },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is {len} characters long; at most {max} are allowed")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("altitude must be a whole number of metres between {min} and {max}, not {input:?}")]
    InvalidAltitude { input: String, min: i32, max: i32 },
    #[error("{field} {input} microdegrees is off the globe")]
    OutOfRange { field: &'static str, input: String },
    #[error("{input:?} is not a valid id")]
    InvalidId { input: String },
    #[error(
        "{input:?} is not a code: codes use the digits and the letters A to Y except I, L, O and U"
    )]
    InvalidCode { input: String },
    #[error(
        "{input:?} has a typing mistake (its check character does not match); please check each character"
    )]
    CodeMistyped { input: String },
    #[error("{input:?} is not a GTIN: a GTIN has 8, 12, 13 or 14 digits, the last a check digit")]
    InvalidGtin { input: String },
    #[error("{input:?} has a typing mistake: its last digit should be {expected}")]
    GtinMistyped { input: String, expected: u8 },
    #[error("an edit changes the listing's {field} twice; each field may be changed once")]
    FieldRepeated { field: &'static str },
    #[error("a lot cannot be processed from itself or from the same lot twice")]
    InputsRepeat,
    #[error("a processing step needs at least one input lot")]
    NoInputs,
    #[error("a quantity in {got} cannot be used for a listing sold in {expected}")]
    UnitMismatch {
        expected: &'static str,
        got: &'static str,
    },
    #[error("{input:?} is not a time of day; write hours and minutes, such as 10:00")]
    InvalidTime { input: String },
    #[error("a round needs at least one stop")]
    NoStops,
    #[error("a round has at most {max} stops")]
    TooManyStops { max: usize },
    #[error("the round stops at {place:?} twice")]
    StopRepeated { place: String },
    #[error(
        "the stop at {place:?} is expected before the stop before it; list stops in the order the truck makes them"
    )]
    StopsOutOfOrder { place: String },
    #[error("a load in {unit} needs its weight: weigh it and give the kilograms")]
    WeightNeeded { unit: &'static str },
    #[error("a listing sold in {unit} is weighed by its own quantity; it takes no weight per unit")]
    WeightNotNeeded { unit: &'static str },
    #[error("the listing's {field} is not changed by an edit")]
    NotEditable { field: &'static str },
}

impl DomainError {
    /// A stable, machine-readable name for the kind of error, for front ends and
    /// the sync protocol. Never rename one: clients branch on it.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::InvalidMoney { .. } => "invalid_money",
            DomainError::NotPositive { .. } => "not_positive",
            DomainError::TooLarge { .. } => "too_large",
            DomainError::InvalidQuantity { .. } => "invalid_quantity",
            DomainError::NotWhole { .. } => "not_whole",
            DomainError::TooPrecise { .. } => "too_precise",
            DomainError::UnknownUnit { .. } => "unknown_unit",
            DomainError::UnknownCategory { .. } => "unknown_category",
            DomainError::UnknownChoice { .. } => "unknown_choice",
            DomainError::Empty { .. } => "empty",
            DomainError::TooLong { .. } => "too_long",
            DomainError::ControlCharacter { .. } => "control_character",
            DomainError::InvalidAltitude { .. } => "invalid_altitude",
            DomainError::OutOfRange { .. } => "out_of_range",
            DomainError::InvalidId { .. } => "invalid_id",
            DomainError::UnitMismatch { .. } => "unit_mismatch",
            DomainError::InvalidCode { .. } => "invalid_code",
            DomainError::CodeMistyped { .. } => "code_mistyped",
            DomainError::InvalidGtin { .. } => "invalid_gtin",
            DomainError::GtinMistyped { .. } => "gtin_mistyped",
            DomainError::InputsRepeat => "inputs_repeat",
            DomainError::NoInputs => "no_inputs",
            DomainError::FieldRepeated { .. } => "field_repeated",
            DomainError::InvalidTime { .. } => "invalid_time",
            DomainError::NoStops => "no_stops",
            DomainError::TooManyStops { .. } => "too_many_stops",
            DomainError::StopRepeated { .. } => "stop_repeated",
            DomainError::StopsOutOfOrder { .. } => "stops_out_of_order",
            DomainError::WeightNeeded { .. } => "weight_needed",
            DomainError::WeightNotNeeded { .. } => "weight_not_needed",
            DomainError::NotEditable { .. } => "not_editable",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DomainError::{self, *};
    use crate::wire::HubErrorCode;

    /// One of each kind. The match below has no catch-all, so a new kind
    /// does not compile until it is added here too.
    fn one_of_each() -> Vec<DomainError> {
        let input = || "x".to_owned();
        let all = vec![
            InvalidMoney {
                field: "price",
                input: input(),
            },
            NotPositive { field: "price" },
            TooLarge { field: "price" },
            InvalidQuantity { input: input() },
            NotWhole {
                unit: "jar",
                input: input(),
            },
            TooPrecise {
                input: input(),
                base: "g",
            },
            UnknownUnit {
                input: input(),
                known: input(),
            },
            UnknownCategory {
                input: input(),
                known: input(),
            },
            UnknownChoice {
                what: "payment",
                input: input(),
                known: input(),
            },
            Empty { field: "name" },
            TooLong {
                field: "name",
                len: 2,
                max: 1,
            },
            ControlCharacter { field: "name" },
            InvalidAltitude {
                input: input(),
                min: 0,
                max: 1,
            },
            OutOfRange {
                field: "latitude",
                input: input(),
            },
            InvalidId { input: input() },
            InvalidCode { input: input() },
            CodeMistyped { input: input() },
            InvalidGtin { input: input() },
            GtinMistyped {
                input: input(),
                expected: 1,
            },
            FieldRepeated { field: "name" },
            InputsRepeat,
            NoInputs,
            UnitMismatch {
                expected: "kg",
                got: "jar",
            },
            InvalidTime { input: input() },
            NoStops,
            TooManyStops { max: 1 },
            StopRepeated { place: input() },
            StopsOutOfOrder { place: input() },
            WeightNeeded { unit: "jar" },
            WeightNotNeeded { unit: "kg" },
            NotEditable {
                field: "weight_per_unit",
            },
        ];
        for e in &all {
            match e {
                InvalidMoney { .. }
                | NotPositive { .. }
                | TooLarge { .. }
                | InvalidQuantity { .. }
                | NotWhole { .. }
                | TooPrecise { .. }
                | UnknownUnit { .. }
                | UnknownCategory { .. }
                | UnknownChoice { .. }
                | Empty { .. }
                | TooLong { .. }
                | ControlCharacter { .. }
                | InvalidAltitude { .. }
                | OutOfRange { .. }
                | InvalidId { .. }
                | InvalidCode { .. }
                | CodeMistyped { .. }
                | InvalidGtin { .. }
                | GtinMistyped { .. }
                | FieldRepeated { .. }
                | InputsRepeat
                | NoInputs
                | UnitMismatch { .. }
                | InvalidTime { .. }
                | NoStops
                | TooManyStops { .. }
                | StopRepeated { .. }
                | StopsOutOfOrder { .. }
                | WeightNeeded { .. }
                | WeightNotNeeded { .. }
                | NotEditable { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_domain_error_code_is_a_code_the_wire_knows() {
        for e in one_of_each() {
            let code = HubErrorCode::from(e.code());
            assert!(
                !matches!(code, HubErrorCode::Other(_)),
                "{} is not a HubErrorCode",
                e.code()
            );
        }
    }
}
