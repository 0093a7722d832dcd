//! Checks on single values: periods, alarm and dashboard names, ids, SNS topic ARNs.

/// A period in seconds: a positive multiple of 60 (the code's metrics, and the AWS
/// metrics used here, are standard resolution).
pub(crate) fn check_period(seconds: u32) -> Result<(), String> {
    if seconds > 0 && seconds.is_multiple_of(60) {
        Ok(())
    } else {
        Err(format!(
            "{seconds} is not a period CloudWatch can use here; use a positive multiple of 60 seconds"
        ))
    }
}

/// An alarm name: 1..=255 characters, no control characters, no quotes (rules quote them).
pub(crate) fn check_alarm_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > 255 {
        return Err(format!("`{name}` must be 1 to 255 characters"));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '"' || c == '\\')
    {
        return Err(format!(
            "`{name}` may not hold control characters, quotes or backslashes"
        ));
    }
    Ok(())
}

/// A dashboard name: 1..=255 of `A-Z a-z 0-9 - _`.
pub(crate) fn check_dashboard_name(name: &str) -> Result<(), String> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name.is_empty() && name.len() <= 255 && valid_chars {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a dashboard name: 1 to 255 of A-Z, a-z, 0-9, `-` and `_`"
        ))
    }
}

/// A metric-math id: a lower-case letter, then letters, digits and `_`.
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    let mut chars = id.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && id.len() <= 255 {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a metric-math id: start with a lower-case letter, then letters, digits or `_`"
        ))
    }
}

/// An SNS topic ARN: `arn:<partition>:sns:<region>:<12-digit account>:<topic>`.
pub(crate) fn check_topic_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.split(':').collect();
    let valid = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "sns"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && !parts[5].is_empty();
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{arn}` is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cloudwatch_refuses_are_refused() {
        assert!(check_period(300).is_ok());
        assert!(check_period(0).is_err() && check_period(90).is_err());
        assert!(check_alarm_name("revops-prod-x").is_ok());
        assert!(check_alarm_name("a\"b").is_err() && check_alarm_name("").is_err());
        assert!(check_dashboard_name("revops-prod-service").is_ok());
        assert!(check_dashboard_name("revops prod").is_err());
        assert!(check_id("m1").is_ok() && check_id("dead_lettered").is_ok());
        assert!(check_id("M1").is_err() && check_id("a-b").is_err());
        assert!(check_topic_arn("arn:aws:sns:us-east-1:123456789012:alarms").is_ok());
        assert!(check_topic_arn("arn:aws:sqs:us-east-1:123456789012:q").is_err());
        assert!(check_topic_arn("alarms").is_err());
    }
}
