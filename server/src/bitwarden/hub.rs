//! The notifications hub Bitwarden's apps keep open for live sync:
//! `GET /notifications/hub?access_token=…`, a WebSocket speaking ASP.NET
//! SignalR's hub protocol (the apps use Microsoft's SignalR client with its
//! MessagePack protocol, without the negotiate step). The server only ever
//! calls the apps' `ReceiveMessage` with a notice ([`service::live`]); the
//! apps then fetch what changed with their own token.
//!
//! The protocol, as its public specification describes it: the client sends
//! a JSON handshake ended by the record separator 0x1E, the server answers
//! `{}` (or an error); then each message is a MessagePack array behind its
//! length as a variable-length integer (JSON: a JSON object ended by 0x1E).
//! Both sides ping every 15 seconds.

use super::{AppError, wire};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use service::live::{AppNotice, Change};
use service::{Actor, Services};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const RECORD_SEPARATOR: u8 = 0x1e;
/// How often the server pings (SignalR's default keep-alive).
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// A client heard nothing from for this long is gone (twice SignalR's default).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);
/// The handshake must come this soon after the upgrade.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// SignalR's message types (the first element of a MessagePack message, the
/// `type` of a JSON one).
const INVOCATION: u64 = 1;
const PING: u64 = 6;
const CLOSE: u64 = 7;

/// The hub protocol a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Json,
    MessagePack,
}

/// Reads the handshake request (`{"protocol":"messagepack","version":1}` and
/// 0x1E); the error is what the answer tells the client.
pub fn handshake(data: &[u8]) -> Result<Protocol, String> {
    let end = data.iter().position(|b| *b == RECORD_SEPARATOR).ok_or("The handshake must end with the record separator.")?;
    #[derive(Deserialize)]
    struct Request {
        protocol: String,
        version: u32,
    }
    let req: Request = serde_json::from_slice(&data[..end]).map_err(|_| "The handshake request is not valid JSON.".to_string())?;
    let protocol = match req.protocol.as_str() {
        "messagepack" => Protocol::MessagePack,
        "json" => Protocol::Json,
        other => return Err(format!("The protocol '{other}' is not supported: use messagepack or json.")),
    };
    if req.version != 1 {
        return Err(format!("Version {} of the hub protocol is not supported: use 1.", req.version));
    }
    Ok(protocol)
}

/// One message as a WebSocket frame in `protocol`; `msg` is the MessagePack
/// array form (JSON messages are built from it).
pub fn encode(protocol: Protocol, msg: &[Value]) -> Message {
    match protocol {
        Protocol::MessagePack => {
            let body = rmp_serde::to_vec_named(msg).unwrap_or_default();
            let mut out = Vec::with_capacity(body.len() + 5);
            let mut n = body.len();
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                out.push(if n > 0 { byte | 0x80 } else { byte });
                if n == 0 {
                    break;
                }
            }
            out.extend_from_slice(&body);
            Message::Binary(out.into())
        }
        Protocol::Json => {
            let kind = msg.first().and_then(Value::as_u64).unwrap_or(0);
            let obj = match kind {
                INVOCATION => json!({ "type": INVOCATION, "target": msg.get(3), "arguments": msg.get(4) }),
                CLOSE => json!({ "type": CLOSE, "error": msg.get(1), "allowReconnect": msg.get(2) }),
                other => json!({ "type": other }),
            };
            let mut text = obj.to_string();
            text.push(RECORD_SEPARATOR as char);
            Message::Text(text.into())
        }
    }
}

/// The types of the messages in one frame from the client (unreadable ones
/// are left out: the server acts on none but Close).
pub fn message_types(protocol: Protocol, data: &[u8]) -> Vec<u64> {
    let mut types = vec![];
    match protocol {
        Protocol::MessagePack => {
            let mut rest = data;
            while !rest.is_empty() {
                let (mut len, mut shift, mut used) = (0usize, 0, 0);
                for b in rest.iter().take(5) {
                    used += 1;
                    len |= ((b & 0x7f) as usize) << shift;
                    shift += 7;
                    if b & 0x80 == 0 {
                        break;
                    }
                }
                let Some(body) = rest.get(used..used + len) else { break };
                if let Ok(Value::Array(a)) = rmp_serde::from_slice::<Value>(body)
                    && let Some(t) = a.first().and_then(Value::as_u64)
                {
                    types.push(t);
                }
                rest = &rest[used + len..];
            }
        }
        Protocol::Json => {
            for part in data.split(|b| *b == RECORD_SEPARATOR).filter(|p| !p.is_empty()) {
                if let Some(t) = serde_json::from_slice::<Value>(part).ok().and_then(|v| v.get("type").and_then(Value::as_u64)) {
                    types.push(t);
                }
            }
        }
    }
    types
}

fn invocation(notice: &AppNotice, user_id: &str) -> Vec<Value> {
    vec![json!(INVOCATION), json!({}), Value::Null, json!("ReceiveMessage"), json!([wire::push_message(notice, user_id)])]
}

#[derive(Deserialize)]
pub struct HubQuery {
    access_token: Option<String>,
}

/// `GET /notifications/hub`: the app's access token in the query (browsers
/// cannot set headers on a WebSocket) or the Authorization header.
pub async fn hub(Extension(services): Extension<Services>, Query(q): Query<HubQuery>, headers: HeaderMap, ws: WebSocketUpgrade) -> Result<Response, AppError> {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::to_string);
    let token = q.access_token.or(bearer).unwrap_or_default();
    let Some(actor) = services.resolve_access_token(token.trim()).await? else {
        return Err(AppError::new(StatusCode::UNAUTHORIZED, "Log in again."));
    };
    let place = services.hub_place(&actor)?;
    let tenants = services.app_hub_tenants(&actor).await?;
    let notices = services.subscribe_app_notices();
    Ok(ws.on_upgrade(move |socket| async move {
        let _place = place;
        if let Err(e) = serve(socket, services, actor, tenants, notices).await {
            tracing::debug!(error = %e, "a notifications hub connection ended");
        }
    }))
}

async fn serve(
    mut socket: WebSocket,
    services: Services,
    actor: Actor,
    mut tenants: BTreeSet<String>,
    mut notices: tokio::sync::broadcast::Receiver<AppNotice>,
) -> anyhow::Result<()> {
    let first = tokio::time::timeout(HANDSHAKE_TIMEOUT, socket.recv()).await;
    let data = match first {
        Ok(Some(Ok(Message::Text(t)))) => t.as_bytes().to_vec(),
        Ok(Some(Ok(Message::Binary(b)))) => b.to_vec(),
        _ => return Ok(()),
    };
    let protocol = match handshake(&data) {
        Ok(p) => p,
        Err(e) => {
            let answer = format!("{}{}", json!({ "error": e }), RECORD_SEPARATOR as char);
            socket.send(Message::Text(answer.into())).await?;
            return Ok(());
        }
    };
    socket.send(Message::Text(format!("{{}}{}", RECORD_SEPARATOR as char).into())).await?;
    let user_id = actor.user_id().to_string();
    let device = actor.app_device().unwrap_or_default().to_string();
    let mut ping = tokio::time::interval(KEEP_ALIVE);
    let mut heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let data = match incoming {
                    Some(Ok(Message::Binary(b))) => b.to_vec(),
                    Some(Ok(Message::Text(t))) => t.as_bytes().to_vec(),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                    Some(Ok(_)) => continue,
                };
                heard = tokio::time::Instant::now();
                if message_types(protocol, &data).contains(&CLOSE) {
                    return Ok(());
                }
            }
            notice = notices.recv() => {
                let notice = match notice {
                    Ok(n) => n,
                    // Notices were missed (a change of memberships among them,
                    // perhaps): the app syncs everything, its organisations too.
                    Err(RecvError::Lagged(_)) => AppNotice { to: service::live::Audience::User(user_id.clone()), change: Change::Memberships, context: None, at: services.now() },
                    Err(RecvError::Closed) => return Ok(()),
                };
                if !notice.reaches(&user_id, &device, &tenants) {
                    continue;
                }
                socket.send(encode(protocol, &invocation(&notice, &user_id))).await?;
                match notice.change {
                    Change::LogOut => {
                        socket.send(encode(protocol, &[json!(CLOSE), Value::Null, json!(false)])).await?;
                        return Ok(());
                    }
                    // Only a change of memberships changes what the app hears (a
                    // collection or policy change reaches every member's app: no re-read).
                    Change::Memberships => tenants = services.app_hub_tenants(&actor).await?,
                    _ => {}
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > CLIENT_TIMEOUT {
                    return Ok(());
                }
                socket.send(encode(protocol, &[json!(PING)])).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(m: Message) -> Vec<u8> {
        match m {
            Message::Binary(b) => b.to_vec(),
            Message::Text(t) => t.as_bytes().to_vec(),
            _ => vec![],
        }
    }

    #[test]
    fn the_handshake_names_the_protocol() {
        assert_eq!(handshake(b"{\"protocol\":\"messagepack\",\"version\":1}\x1e"), Ok(Protocol::MessagePack));
        assert_eq!(handshake(b"{\"protocol\":\"json\",\"version\":1}\x1e"), Ok(Protocol::Json));
        assert!(handshake(b"{\"protocol\":\"json\",\"version\":1}").unwrap_err().contains("record separator"));
        assert!(handshake(b"{\"protocol\":\"blazorpack\",\"version\":1}\x1e").unwrap_err().contains("blazorpack"));
        assert!(handshake(b"{\"protocol\":\"json\",\"version\":2}\x1e").unwrap_err().contains("Version 2"));
    }

    #[test]
    fn messagepack_messages_carry_their_length_and_read_back() {
        // A ping is the one-element array [6]: 0x91 0x06, behind its length 2.
        assert_eq!(bytes(encode(Protocol::MessagePack, &[json!(PING)])), vec![2, 0x91, 0x06]);
        // A message of 200 bytes or more takes two length bytes (7 bits each).
        let long = vec![json!(INVOCATION), json!({}), Value::Null, json!("ReceiveMessage"), json!(["x".repeat(300)])];
        let framed = bytes(encode(Protocol::MessagePack, &long));
        let body = rmp_serde::to_vec_named(&long).unwrap();
        assert_eq!(framed[0] as usize, (body.len() & 0x7f) | 0x80);
        assert_eq!(framed[1] as usize, body.len() >> 7);
        assert_eq!(&framed[2..], &body[..]);
        // Two messages in one frame are both read.
        let mut two = bytes(encode(Protocol::MessagePack, &[json!(PING)]));
        two.extend(bytes(encode(Protocol::MessagePack, &[json!(CLOSE), Value::Null, json!(false)])));
        assert_eq!(message_types(Protocol::MessagePack, &two), vec![PING, CLOSE]);
        assert_eq!(message_types(Protocol::MessagePack, &[9, 0x91]), Vec::<u64>::new(), "a cut message is not read");
    }

    #[test]
    fn json_messages_end_with_the_record_separator() {
        let ping = bytes(encode(Protocol::Json, &[json!(PING)]));
        assert_eq!(ping, b"{\"type\":6}\x1e");
        let n = AppNotice { to: service::live::Audience::User("u".into()), change: Change::Items, context: Some("app".into()), at: 0 };
        let text = String::from_utf8(bytes(encode(Protocol::Json, &invocation(&n, "u")))).unwrap();
        let v: Value = serde_json::from_str(text.trim_end_matches('\u{1e}')).unwrap();
        assert_eq!(v["target"], "ReceiveMessage");
        assert_eq!(v["arguments"][0]["Type"], 4);
        assert_eq!(v["arguments"][0]["ContextId"], "app");
        assert_eq!(v["arguments"][0]["Payload"]["UserId"], "u");
        let mut both = ping.clone();
        both.extend(b"{\"type\":7}\x1e");
        assert_eq!(message_types(Protocol::Json, &both), vec![PING, CLOSE]);
    }
}
