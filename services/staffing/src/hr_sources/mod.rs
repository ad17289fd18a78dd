//! HR systems as they are: configured sources (WeCom, DingTalk, Feishu) whose callbacks
//! are verified, decrypted and turned into the HR events the generic webhook takes.

pub mod callback_crypto;
