//! Enum values as the command line, JSON and lesson files spell them. clap's `ValueEnum` derive
//! is the one table of names: these read it, so no enum keeps a hand-written list of its own.

use clap::ValueEnum;

/// How `value` is spelled (`Strategy::Pool` is `pool`).
pub fn name<T: ValueEnum>(value: &T) -> String {
    (value.to_possible_value())
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// The value spelled `s`, exactly.
pub fn parse<T: ValueEnum>(s: &str) -> Option<T> {
    T::from_str(s, false).ok()
}

/// Every value's spelling, in the enum's order, joined by ", ".
pub fn list<T: ValueEnum>() -> String {
    let names: Vec<String> = T::value_variants().iter().map(name).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Strategy, Workload};

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for s in Strategy::ALL {
            assert_eq!(parse::<Strategy>(&name(&s)), Some(s));
        }
        assert_eq!(name(&Workload::Cpu), "cpu");
        assert_eq!(parse::<Workload>("gpu"), None);
        assert_eq!(parse::<Workload>("CPU"), None);
        assert_eq!(list::<Workload>(), "io, cpu");
    }
}
