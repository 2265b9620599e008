use jiff::civil::date;

use super::recovery::CROCKFORD;
use super::*;

const FAST: KdfParams = KdfParams {
    memory_kib: 8,
    passes: 1,
    lanes: 1,
};

fn account(id: i64) -> AccountId {
    AccountId(id)
}

#[test]
fn a_wrapped_key_opens_only_with_its_key_purpose_and_account() {
    let key = DataKey::generate();
    let by = session_key("a session token");
    let wrapped = wrap(&key, &by, WrapPurpose::Session, account(7)).expect("wrap");
    let back = unwrap(&wrapped, &by, WrapPurpose::Session, account(7)).expect("opens");
    let aad = "kith-journal/v1/test";
    let sealed = seal(&key, aad, b"same key").expect("seal");
    assert_eq!(
        open(&back, aad, &sealed).expect("opens").as_slice(),
        b"same key"
    );

    let other = session_key("another session token");
    assert_eq!(
        unwrap(&wrapped, &other, WrapPurpose::Session, account(7)).map(|_| ()),
        Err(CouldNotOpen)
    );
    assert_eq!(
        unwrap(&wrapped, &by, WrapPurpose::Password, account(7)).map(|_| ()),
        Err(CouldNotOpen),
        "not as another purpose's wrap"
    );
    assert_eq!(
        unwrap(&wrapped, &by, WrapPurpose::Session, account(8)).map(|_| ()),
        Err(CouldNotOpen),
        "not as another account's"
    );
}

#[test]
fn a_sealed_entry_fails_to_open_after_any_change_and_never_gives_other_bytes() {
    let key = DataKey::generate();
    let id = CheckinId::random();
    let aad = entry_aad(account(1), Entry::Checkin(&id, date(2026, 5, 1)));
    let sealed = seal(&key, &aad, b"canary words").expect("seal");
    assert!(!sealed.windows(6).any(|w| w == b"canary"));
    for i in 0..sealed.len() {
        let mut flipped = sealed.clone();
        flipped[i] ^= 0x01;
        assert_eq!(
            open(&key, &aad, &flipped).map(|_| ()),
            Err(CouldNotOpen),
            "byte {i}"
        );
    }
    assert_eq!(
        open(&key, &aad, &sealed[..10]).map(|_| ()),
        Err(CouldNotOpen)
    );
    let moved = entry_aad(account(1), Entry::Checkin(&id, date(2026, 5, 2)));
    assert_eq!(
        open(&key, &moved, &sealed).map(|_| ()),
        Err(CouldNotOpen),
        "another day"
    );
    let elsewhere = entry_aad(account(2), Entry::Checkin(&id, date(2026, 5, 1)));
    assert_eq!(
        open(&key, &elsewhere, &sealed).map(|_| ()),
        Err(CouldNotOpen),
        "another account"
    );
    assert_eq!(
        open(&DataKey::generate(), &aad, &sealed).map(|_| ()),
        Err(CouldNotOpen),
        "another journal's key"
    );
    // Two seals of the same words differ (a fresh nonce each time).
    assert_ne!(seal(&key, &aad, b"canary words").expect("seal"), sealed);
}

#[test]
fn entries_bind_their_kind_account_id_and_what_is_in_clear() {
    let checkin = CheckinId::parse("0123456789abcdef0123456789abcdef").expect("id");
    let medicine = MedicineId::parse("fedcba9876543210fedcba9876543210").expect("id");
    let dose = DoseId::parse("00112233445566778899aabbccddeeff").expect("id");
    assert_eq!(
        entry_aad(account(3), Entry::Checkin(&checkin, date(2026, 5, 1))),
        "kith-journal/v1/checkin/account:3/entry:0123456789abcdef0123456789abcdef/day:2026-05-01"
    );
    assert_eq!(
        entry_aad(account(3), Entry::Medicine(&medicine)),
        "kith-journal/v1/medicine/account:3/entry:fedcba9876543210fedcba9876543210"
    );
    assert_eq!(
        entry_aad(account(3), Entry::Dose(&dose, &medicine, date(2026, 5, 1))),
        "kith-journal/v1/dose/account:3/entry:00112233445566778899aabbccddeeff\
         /medicine:fedcba9876543210fedcba9876543210/day:2026-05-01"
    );
}

#[test]
fn a_derived_key_depends_on_the_secret_and_the_salt_which_keeps_its_parameters() {
    let salt = Salt::generate(FAST);
    let stored = salt.to_stored();
    assert!(stored.starts_with("m=8,t=1,p=1$"), "{stored}");
    let read = Salt::parse(&stored).expect("reads back");
    assert_eq!(read, salt);
    assert_eq!(read.params(), FAST);

    let key = DataKey::generate();
    let by = derive(b"a long passphrase", &salt).expect("derive");
    let wrapped = wrap(&key, &by, WrapPurpose::Password, account(1)).expect("wrap");
    let again = derive(b"a long passphrase", &read).expect("derive");
    assert!(unwrap(&wrapped, &again, WrapPurpose::Password, account(1)).is_ok());
    let wrong = derive(b"a long passphrasE", &read).expect("derive");
    assert!(unwrap(&wrapped, &wrong, WrapPurpose::Password, account(1)).is_err());
    let other_salt = derive(b"a long passphrase", &Salt::generate(FAST)).expect("derive");
    assert!(unwrap(&wrapped, &other_salt, WrapPurpose::Password, account(1)).is_err());

    for bad in [
        "",
        "m=8,t=1$00",
        "m=8,t=1,p=1$zz",
        "m=8,t=1,p=1$0011",
        "x=8,t=1,p=1$00",
    ] {
        assert_eq!(Salt::parse(bad).map(|_| ()), Err(CouldNotOpen), "{bad}");
    }
}

#[test]
fn a_session_key_is_the_same_for_the_same_token_only() {
    let key = DataKey::generate();
    let wrapped = wrap(
        &key,
        &session_key("token"),
        WrapPurpose::Session,
        account(1),
    )
    .expect("wrap");
    assert!(
        unwrap(
            &wrapped,
            &session_key("token"),
            WrapPurpose::Session,
            account(1)
        )
        .is_ok()
    );
    assert!(
        unwrap(
            &wrapped,
            &session_key("token2"),
            WrapPurpose::Session,
            account(1)
        )
        .is_err()
    );
}

#[test]
fn a_recovery_code_reads_back_however_it_is_typed_and_catches_typos() {
    let code = RecoveryCode::generate();
    let shown = code.expose();
    let groups: Vec<&str> = shown.split('-').collect();
    assert_eq!(groups.len(), 8, "{}", shown.as_str());
    assert!(
        groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| CROCKFORD.contains(&b)))
    );
    let same = |typed: &str| RecoveryCode::parse(typed).map(|c| c.secret().to_vec());
    assert_eq!(same(&shown), Ok(code.secret().to_vec()));
    assert_eq!(same(&shown.to_lowercase()), Ok(code.secret().to_vec()));
    assert_eq!(same(&groups.join(" ")), Ok(code.secret().to_vec()));
    assert_eq!(same(&groups.concat()), Ok(code.secret().to_vec()));
    // 1 typed as I or L, 0 as O.
    let misread = shown.replace('1', "l").replace('0', "O");
    assert_eq!(same(&misread), Ok(code.secret().to_vec()));

    let mut typo: Vec<char> = shown.chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    assert_eq!(same(&typo), Err(CodeError::Mistyped));
    assert_eq!(same(&shown[..shown.len() - 1]), Err(CodeError::Malformed));
    assert_eq!(
        same(&format!("{}0", shown.as_str())),
        Err(CodeError::Malformed)
    );
    assert_eq!(
        same(&shown.replace(groups[0], "UUUU")),
        Err(CodeError::Malformed)
    );
    assert_eq!(same(""), Err(CodeError::Malformed));
    assert_ne!(RecoveryCode::generate().secret(), code.secret());
}

#[test]
fn keys_and_codes_never_print_their_bytes() {
    let code = RecoveryCode::generate();
    assert_eq!(format!("{:?}", DataKey::generate()), "DataKey(…)");
    assert_eq!(format!("{:?}", session_key("t")), "WrappingKey(…)");
    assert_eq!(format!("{code:?}"), "RecoveryCode(…)");
    assert!(!format!("{:?}", Salt::generate(FAST)).contains('$'));
}
