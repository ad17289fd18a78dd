use serde_json::json;

use super::*;

fn keys(encrypt_key: Option<&str>, token: Option<&str>) -> FeishuKeys {
    FeishuKeys::new(
        encrypt_key.map(str::to_owned),
        token.map(str::to_owned),
        Some("cli_ours".into()),
        300,
    )
    .unwrap()
}

#[test]
fn the_published_example_decrypts_to_hello_world() {
    let key = aes_key("test key");
    let plain = decrypt_with(&key, "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=").unwrap();
    assert_eq!(plain, b"hello world");
}

#[test]
fn encrypt_with_round_trips_and_puts_the_iv_first() {
    let iv = [7u8; 16];
    let e = encrypt_with("k", iv, b"{\"a\":1}");
    assert_eq!(&STANDARD.decode(&e).unwrap()[..16], &iv);
    assert_eq!(decrypt_with(&aes_key("k"), &e).unwrap(), b"{\"a\":1}");
}

#[test]
fn bad_ciphertexts_are_refused() {
    let key = aes_key("test key");
    let good = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=";
    assert_eq!(
        decrypt_with(&key, "not base64!"),
        Err(FeishuError::Ciphertext)
    );
    assert_eq!(decrypt_with(&key, "AAAA"), Err(FeishuError::Ciphertext));
    let raw = STANDARD.decode(good).unwrap();
    let truncated = STANDARD.encode(&raw[..raw.len() - 1]);
    assert_eq!(decrypt_with(&key, &truncated), Err(FeishuError::Ciphertext));
    // The wrong key spoils the padding here (checked: not a 1-in-256 accident).
    assert_eq!(
        decrypt_with(&aes_key("other key"), good),
        Err(FeishuError::Padding)
    );
}

#[test]
fn the_signature_and_its_timestamp_are_checked() {
    let k = keys(Some("test key"), None);
    let now = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap();
    let body = br#"{"encrypt":"x"}"#;
    let sig = signature("1790000000", "n1", "test key", body);
    let headers = |ts, sig| SignatureHeaders {
        timestamp: Some(ts),
        nonce: Some("n1"),
        signature: Some(sig),
    };
    assert_eq!(k.verify(headers("1790000000", &sig), body, now), Ok(()));
    assert_eq!(
        k.verify(headers("1790000000", &sig), b"{\"encrypt\":\"y\"}", now),
        Err(FeishuError::Signature)
    );
    let late = now + chrono::Duration::seconds(301);
    assert_eq!(
        k.verify(headers("1790000000", &sig), body, late),
        Err(FeishuError::Timestamp)
    );
    assert_eq!(
        k.verify(SignatureHeaders::default(), body, now),
        Err(FeishuError::SignatureMissing)
    );
    let plain = keys(None, Some("tok"));
    assert_eq!(plain.verify(SignatureHeaders::default(), body, now), Ok(()));
}

#[test]
fn the_token_and_app_id_are_checked_when_configured() {
    let k = keys(None, Some("tok"));
    assert_eq!(k.check(Some("tok"), Some("cli_ours")), Ok(()));
    assert_eq!(k.check(Some("tok"), None), Ok(()));
    assert_eq!(k.check(Some("bad"), None), Err(FeishuError::Token));
    assert_eq!(k.check(None, None), Err(FeishuError::Token));
    assert_eq!(k.check(Some("tok"), Some("cli_x")), Err(FeishuError::AppId));
    assert!(FeishuKeys::new(None, None, None, 300).is_err());
}

fn event(event_type: &str, event: Value) -> Option<Box<VendorEvent>> {
    let m = json!({"schema": "2.0", "header": {"event_id": "ev1", "event_type": event_type,
        "token": "tok", "app_id": "cli_ours", "create_time": "1790000000000"}, "event": event});
    match parse(&m, Utc::now()).unwrap() {
        Message::Event { event, .. } => event,
        Message::Challenge { .. } => panic!("handshake"),
    }
}

#[test]
fn contact_events_map_to_hire_transfer_and_departure() {
    let e = event(
        "contact.user.created_v3",
        json!({"object": {"user_id": "E1", "name": "Li Si", "department_ids": ["od-1", "od-2"]}}),
    )
    .unwrap();
    assert_eq!(
        e.change,
        Change::Hired {
            name: Some("Li Si".into()),
            department: Some("od-1".into())
        }
    );
    assert_eq!(
        (e.dedupe_key.as_str(), e.fields["user_id"].as_str()),
        ("ev1", "E1")
    );
    assert_eq!(e.at.timestamp(), 1_790_000_000);
    let moved = event(
        "contact.user.updated_v3",
        json!({"object": {"user_id": "E1", "department_ids": ["od-3"]},
               "old_object": {"user_id": "OLD", "department_ids": ["od-1"]}}),
    )
    .unwrap();
    assert_eq!(
        moved.change,
        Change::Transferred {
            department: Some("od-3".into())
        }
    );
    assert_eq!(moved.fields["user_id"], "E1");
    let renamed = json!({"object": {"user_id": "E1", "name": "N"}, "old_object": {"name": "M"}});
    assert!(event("contact.user.updated_v3", renamed).is_none());
    let gone = event(
        "contact.user.deleted_v3",
        json!({"object": {"user_id": "E1"}}),
    );
    assert_eq!(gone.unwrap().change, Change::Left);
    assert!(event("im.message.receive_v1", json!({})).is_none());
}

#[test]
fn to_be_resigned_carries_the_date_offboarding_awaits_enrichment_unless_withdrawn() {
    let e = event(
        "directory.employee.to_be_resigned_v1",
        json!({"employee": {"employee_id": "E1", "resign_date": "2026-12-31"}}),
    )
    .unwrap();
    assert_eq!(
        e.change,
        Change::Resigning {
            last_working_day: NaiveDate::from_ymd_opt(2026, 12, 31),
            successor: None,
        }
    );
    assert_eq!(e.fields["user_id"], "E1");
    let off = |status: Value| {
        event(
            "corehr.offboarding.status_updated_v2",
            json!({"offboarding_id": "o1", "employment_id": "x", "status": status}),
        )
    };
    for (status, event_type) in [
        (json!(1), "employee.resigned"),
        (json!(2), "employee.resigned"),
        (json!(6), "employee.resigned"),
        (json!("3"), "employee.terminated"),
    ] {
        assert_eq!(
            off(status).unwrap().change,
            Change::NeedsEnrichment { event_type }
        );
    }
    assert_eq!(off(json!(4)).unwrap().change, Change::Rescinded);
    assert_eq!(off(json!(5)).unwrap().change, Change::Rescinded);
    assert!(off(json!(9)).is_none());
}

#[test]
fn the_handshake_and_malformed_messages() {
    let m = parse(
        &json!({"challenge": "c1", "token": "tok", "type": "url_verification"}),
        Utc::now(),
    );
    assert_eq!(
        m,
        Ok(Message::Challenge {
            challenge: "c1".into(),
            token: Some("tok".into())
        })
    );
    assert!(parse(&json!({"type": "url_verification"}), Utc::now()).is_err());
    assert!(parse(&json!({"schema": "2.0", "header": {}}), Utc::now()).is_err());
    assert!(parse(&json!([1]), Utc::now()).is_err());
}
