//! Every diagnostic code riskgate gives, in one registry (as cargo-deny's `codes`): what a
//! script or a support page may match on. The `#[diagnostic(code(..))]` attributes name these,
//! and `tests/it/structure.rs` checks that every code in the sources is listed here.

macro_rules! codes {
    ($($variant:ident => $code:literal: $doc:literal,)*) => {
        /// A diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in the order of this file.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as diagnostics print it (`riskgate::input::syntax`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// What the code means.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $doc,)*
                }
            }
        }
    };
}

codes! {
    Usage => "riskgate::usage": "The command line asks for something riskgate will not do.",
    Inputs => "riskgate::inputs": "Several inputs of the run could not be read; each is listed.",
    PolicyInvalid => "riskgate::policy::invalid": "A policy or acceptances file has errors; each is listed with its position.",
    InputUnreadable => "riskgate::input::unreadable": "An input file could not be read.",
    InputDirectory => "riskgate::input::directory": "A directory was given where a file was expected.",
    InputEmpty => "riskgate::input::empty": "An input file is empty.",
    InputUnknownFormat => "riskgate::input::unknown_format": "A report is in no format riskgate reads.",
    InputUnsupportedTool => "riskgate::input::unsupported_tool": "A report of a tool riskgate does not read; the error names the format to use.",
    InputInvalid => "riskgate::input::invalid": "A report in a known format that breaks the format's rules.",
    InputSyntax => "riskgate::input::syntax": "A report that is not well-formed JSON (or is truncated).",
    PolicySyntax => "riskgate::policy::syntax": "A policy or acceptances file that is not well-formed YAML, or is empty.",
    PolicyYamlFeature => "riskgate::policy::yaml_feature": "A YAML feature riskgate files may not use: aliases, merge keys, tags, several documents, nesting deeper than 32.",
    PolicyDuplicateKey => "riskgate::policy::duplicate_key": "A key given twice in one mapping (YAML would silently keep the last); both lines are named.",
    PolicySchema => "riskgate::policy::schema": "An unknown key, a missing one, a value of the wrong type or variant, or an unsupported `version`.",
    PolicyDate => "riskgate::policy::date": "A date that is not YYYY-MM-DD, or dates in the wrong order (`expires` before `created`).",
    PolicyPattern => "riskgate::policy::pattern": "A glob, regular expression, version requirement or fingerprint that does not parse.",
    PolicyName => "riskgate::policy::name": "A team, person or product that the register does not know, or a person that is not an e-mail address.",
    PolicyGuardrail => "riskgate::policy::guardrail": "A guardrail that breaks the model: a level without a gate, approver or max_days, an override that loosens the organisation's guardrail, a malformed rule or signer.",
    PolicyKey => "riskgate::policy::key": "A key file the policy names that is missing or not a PEM public key.",
    PolicyOwnership => "riskgate::policy::ownership": "Ownership that needs review: a product without a risk owner, an entry not reviewed within `ownership.max_age_days`.",
    AcceptanceInvalid => "riskgate::acceptance::invalid": "An acceptance that breaks the acceptances file's rules: a duplicate id, a wildcard or empty finding, no reason, an alias shared by several vulnerabilities.",
    AcceptanceBroad => "riskgate::acceptance::broad": "An acceptance with no location, which covers its finding anywhere in the product.",
    AcceptanceExpiry => "riskgate::acceptance::expiry": "An acceptance that has expired or expires soon.",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::HashSet;

    #[test]
    fn codes_unique() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{} is listed twice", c.as_str());
            assert!(c.as_str().starts_with("riskgate::"), "{c}");
            assert!(!c.meaning().is_empty(), "{c}");
        }
        assert_eq!(seen.len(), Code::ALL.len());
    }
}
