//! A tracking record's size as DynamoDB bills it: each attribute's name plus its value
//! (a string's UTF-8 bytes, a number's significant digits halved plus one, one byte for a
//! boolean or null, three bytes and one a member for lists and maps), rounded up to the
//! 1 KB write unit or the 4 KB read unit by the caller. The warm benchmark reads the
//! record once after the gateway's `PutItem` and once after delivery, so the cost model's
//! write units follow the record as the code writes it.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// The size of `item` in bytes, by DynamoDB's rules.
pub fn item_bytes(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_bytes(value))
        .sum()
}

fn value_bytes(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_bytes(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(all) => all.iter().map(String::len).sum(),
        AttributeValue::Ns(all) => all.iter().map(|n| number_bytes(n)).sum(),
        AttributeValue::Bs(all) => all.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(all) => 3 + all.iter().map(|v| 1 + value_bytes(v)).sum::<usize>(),
        AttributeValue::M(all) => {
            3 + all
                .iter()
                .map(|(name, v)| 1 + name.len() + value_bytes(v))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// A number: one byte per two significant digits, plus one.
fn number_bytes(number: &str) -> usize {
    let digits = number
        .chars()
        .filter(char::is_ascii_digit)
        .skip_while(|c| *c == '0')
        .count();
    digits.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_are_counted_as_dynamodb_bills_them() {
        let item = HashMap::from([
            ("pk".to_owned(), AttributeValue::S("req#abc".to_owned())),
            ("attempts".to_owned(), AttributeValue::N("12345".to_owned())),
            (
                "events".to_owned(),
                AttributeValue::L(vec![AttributeValue::M(HashMap::from([(
                    "at".to_owned(),
                    AttributeValue::S("now".to_owned()),
                )]))]),
            ),
        ]);

        // pk: 2 + 7; attempts: 8 + (3 + 1); events: 6 + 3 + (1 + 3 + (1 + 2 + 3)).
        assert_eq!(item_bytes(&item), 9 + 12 + 19);
    }
}
