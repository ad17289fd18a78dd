//! WeCom (企业微信) contact callbacks: `<xml><ToUserName/><Encrypt/><AgentID/></xml>`
//! signed by `msg_signature` over the `Encrypt` text; inside, a flat XML message.
//! `change_contact` events: `create_user` (hired), `update_user` naming a department
//! (transferred), `delete_user` (left); every other message is acknowledged and ignored.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;

use super::{Change, VendorEvent};

/// The text of each child of the root element, by lower-case name (nested elements are
/// skipped); None when the XML is malformed.
pub fn flat_fields(xml: &str) -> Option<BTreeMap<String, String>> {
    let mut reader = Reader::from_str(xml);
    let mut fields = BTreeMap::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    let mut text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 {
                    current = Some(String::from_utf8_lossy(e.name().as_ref()).to_lowercase());
                    text.clear();
                }
            }
            Event::Empty(e) if depth == 1 => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_lowercase();
                fields.insert(name, String::new());
            }
            Event::End(_) => {
                if depth == 2
                    && let Some(name) = current.take()
                {
                    fields.insert(name, text.trim().to_owned());
                }
                depth = depth.checked_sub(1)?;
            }
            Event::Text(t) if depth == 2 => text.push_str(&t.decode().ok()?),
            Event::CData(c) if depth == 2 => text.push_str(&String::from_utf8_lossy(&c)),
            Event::GeneralRef(r) if depth == 2 => {
                let name = r.decode().ok()?;
                let resolved = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => return None,
                };
                text.push_str(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (depth == 0 && !fields.is_empty()).then_some(fields)
}

/// The `Encrypt` text of a callback body.
pub fn encrypted(body: &[u8]) -> Option<String> {
    let xml = std::str::from_utf8(body).ok()?;
    flat_fields(xml)?
        .remove("encrypt")
        .filter(|e| !e.is_empty())
}

/// The person event in a decrypted message, if it is one staffing reads.
pub fn parse_event(fields: &BTreeMap<String, String>) -> Option<VendorEvent> {
    let get = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
    if get("msgtype").as_deref() != Some("event")
        || get("event").as_deref() != Some("change_contact")
    {
        return None;
    }
    let change_type = get("changetype")?;
    let department = get("maindepartment").or_else(|| {
        get("department").and_then(|d| d.split(',').next().map(|s| s.trim().to_owned()))
    });
    let change = match change_type.as_str() {
        "create_user" => Change::Hired {
            name: get("name"),
            department,
        },
        "update_user" => Change::Transferred {
            department: Some(department?),
        },
        "delete_user" => Change::Left,
        _ => return None,
    };
    let user = get("userid").unwrap_or_default();
    let created = get("createtime").unwrap_or_default();
    let at = created
        .parse::<i64>()
        .ok()
        .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
        .unwrap_or_else(Utc::now);
    Some(VendorEvent {
        dedupe_key: format!("{change_type}:{user}:{created}"),
        vendor_type: format!("change_contact/{change_type}"),
        change,
        fields: fields.clone(),
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(change: &str, extra: &str) -> String {
        format!(
            "<xml><ToUserName><![CDATA[corp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
             <CreateTime>1790000000</CreateTime><MsgType><![CDATA[event]]></MsgType>\
             <Event><![CDATA[change_contact]]></Event><ChangeType>{change}</ChangeType>\
             <UserID><![CDATA[zhangsan]]></UserID>{extra}</xml>"
        )
    }

    #[test]
    fn the_envelope_yields_its_encrypt_text() {
        let body = b"<xml><ToUserName><![CDATA[corp]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt><AgentID><![CDATA[2]]></AgentID></xml>";
        assert_eq!(encrypted(body).as_deref(), Some("abc+/="));
        assert_eq!(encrypted(b"<xml><Encrypt></Encrypt></xml>"), None);
        assert_eq!(encrypted(b"not xml <"), None);
        assert_eq!(encrypted(b"{\"encrypt\":\"x\"}"), None);
    }

    #[test]
    fn delete_create_and_update_with_a_department_are_read() {
        let f = flat_fields(&msg("delete_user", "")).unwrap();
        let e = parse_event(&f).unwrap();
        assert_eq!(e.change, Change::Left);
        assert_eq!(e.dedupe_key, "delete_user:zhangsan:1790000000");
        assert_eq!(e.fields["userid"], "zhangsan");
        assert_eq!(e.at.timestamp(), 1_790_000_000);

        let f = flat_fields(&msg(
            "create_user",
            "<Name><![CDATA[张三 &amp; co]]></Name><Department><![CDATA[3,2]]></Department>",
        ))
        .unwrap();
        let e = parse_event(&f).unwrap();
        assert_eq!(
            e.change,
            Change::Hired {
                name: Some("张三 &amp; co".into()),
                department: Some("3".into())
            }
        );

        let f = flat_fields(&msg(
            "update_user",
            "<Department>1,2</Department><MainDepartment>2</MainDepartment><Name>A &amp; B</Name>",
        ))
        .unwrap();
        assert_eq!(f["name"], "A & B");
        let e = parse_event(&f).unwrap();
        assert_eq!(
            e.change,
            Change::Transferred {
                department: Some("2".into())
            }
        );
    }

    #[test]
    fn an_update_without_a_department_and_other_messages_are_ignored() {
        let f = flat_fields(&msg("update_user", "<Mobile>1</Mobile>")).unwrap();
        assert_eq!(parse_event(&f), None);
        let f = flat_fields(&msg("create_party", "")).unwrap();
        assert_eq!(parse_event(&f), None);
        let f = flat_fields("<xml><MsgType>text</MsgType><Content>hi</Content></xml>").unwrap();
        assert_eq!(parse_event(&f), None);
    }
}
