//! `${VAR}` and `${VAR:-default}` substitution in configuration text, before TOML parsing.
//!
//! Pure: the environment comes in as a lookup function. Comment lines (first non-blank character
//! `#`) are left alone, so an example in a comment never needs its variable set. `$$` is a literal
//! `$`.

/// A reference to an unset variable with no default, or an unterminated `${`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubstError {
    /// `${VAR}` with VAR unset and no `:-default`.
    #[error(
        "line {line}: environment variable `{name}` is not set and has no default (write `${{{name}:-default}}`)"
    )]
    Unset {
        /// The variable.
        name: String,
        /// 1-based line.
        line: usize,
    },
    /// `${` without a closing `}`, or an empty or invalid name.
    #[error("line {line}: malformed variable reference `{text}`")]
    Malformed {
        /// What was found.
        text: String,
        /// 1-based line.
        line: usize,
    },
}

/// Replace every `${NAME}` / `${NAME:-default}` in `text` using `lookup`.
pub fn substitute(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, SubstError> {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        if line.trim_start().starts_with('#') {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            if let Some(tail) = after.strip_prefix('$') {
                out.push('$');
                rest = tail;
            } else if let Some(body) = after.strip_prefix('{') {
                let Some(end) = body.find('}') else {
                    return Err(SubstError::Malformed {
                        text: rest[pos..].trim_end().to_owned(),
                        line: line_no,
                    });
                };
                let inner = &body[..end];
                let (name, default) = match inner.split_once(":-") {
                    Some((n, d)) => (n, Some(d)),
                    None => (inner, None),
                };
                let valid = !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !name.as_bytes()[0].is_ascii_digit();
                if !valid {
                    return Err(SubstError::Malformed {
                        text: format!("${{{inner}}}"),
                        line: line_no,
                    });
                }
                match (lookup(name), default) {
                    (Some(value), _) => out.push_str(&value),
                    (None, Some(d)) => out.push_str(d),
                    (None, None) => {
                        return Err(SubstError::Unset {
                            name: name.to_owned(),
                            line: line_no,
                        });
                    }
                }
                rest = &body[end + 1..];
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME_DIR" => Some("/srv/x".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_with_defaults() {
        let text = "a = \"${HOME_DIR}/db\"\nb = \"${NOPE:-fallback}\"\nc = \"${EMPTY:-unused}\"\n";
        assert_eq!(
            substitute(text, env).unwrap(),
            "a = \"/srv/x/db\"\nb = \"fallback\"\nc = \"\"\n"
        );
        assert_eq!(substitute("p = \"${NOPE:-}\"", env).unwrap(), "p = \"\"");
    }

    #[test]
    fn unset_without_default_names_the_variable_and_line() {
        let err = substitute("x = 1\ntoken = \"${API_TOKEN}\"\n", env).unwrap_err();
        assert_eq!(
            err,
            SubstError::Unset {
                name: "API_TOKEN".into(),
                line: 2
            }
        );
        assert!(err.to_string().contains("`API_TOKEN`"), "{err}");
    }

    #[test]
    fn comments_dollars_and_malformed() {
        assert_eq!(
            substitute("# ${UNSET}\nprice = \"$$5 $x\"\n", env).unwrap(),
            "# ${UNSET}\nprice = \"$5 $x\"\n"
        );
        assert_eq!(
            substitute("a = \"${OPEN\"\n", env).unwrap_err(),
            SubstError::Malformed {
                text: "${OPEN\"".into(),
                line: 1
            }
        );
        assert!(matches!(
            substitute("a = \"${9X}\"", env),
            Err(SubstError::Malformed { .. })
        ));
        assert!(matches!(
            substitute("a = \"${}\"", env),
            Err(SubstError::Malformed { .. })
        ));
    }
}
