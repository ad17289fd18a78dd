//! DingTalk (钉钉) HTTP callbacks: body `{"encrypt": "..."}` with `signature` (or
//! `msg_signature`), `timestamp` and `nonce` in the query; inside, a JSON event. Every
//! answer is the encrypted `success`.
