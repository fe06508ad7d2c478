// An app's live sync, as Bitwarden's browser extension, desktop and mobile
// apps do it: logs in with an API key (the client-credentials grant), then
// keeps the notifications hub open with Microsoft's SignalR client, its
// MessagePack protocol, WebSockets and no negotiate step (the apps' own
// settings), and prints one JSON line per event: `connected` (with its device
// identifier), each `message` (an item's also says how fetching it went, as an
// app fetches it: GET /api/ciphers/{id}/details), and `closed`.
//
//   node hub-listen.mjs <base URL> <client_id> <client_secret>
//
// bw.spec.mjs runs it with NODE_EXTRA_CA_CERTS naming the test certificate.
import crypto from 'node:crypto';
import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';

const [base, clientId, clientSecret] = process.argv.slice(2);
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const deviceId = crypto.randomUUID();

const form = new URLSearchParams({
  grant_type: 'client_credentials',
  scope: 'api',
  client_id: clientId,
  client_secret: clientSecret,
  deviceType: '2', // a Chrome extension
  deviceIdentifier: deviceId,
  deviceName: 'chrome',
});
const login = await fetch(`${base}/identity/connect/token`, { method: 'POST', body: form });
if (!login.ok) {
  out({ error: `log-in refused: ${login.status} ${await login.text()}` });
  process.exit(1);
}
const token = (await login.json()).access_token;

const connection = new HubConnectionBuilder()
  .withUrl(`${base}/notifications/hub`, { accessTokenFactory: () => token, skipNegotiation: true, transport: HttpTransportType.WebSockets })
  .withHubProtocol(new MessagePackHubProtocol())
  .configureLogging(LogLevel.Warning)
  .build();

connection.on('ReceiveMessage', async (m) => {
  const message = { contextId: m.ContextId ?? null, type: m.Type, payload: m.Payload };
  if (m.Type === 0 || m.Type === 1) {
    const details = await fetch(`${base}/api/ciphers/${m.Payload.Id}/details`, { headers: { Authorization: `Bearer ${token}` } });
    message.details = details.status;
    if (details.ok) message.fetched = (await details.json()).id;
  }
  out({ message });
});
connection.onclose((e) => {
  out({ closed: e ? String(e) : '' });
  process.exit(0);
});
try {
  await connection.start();
} catch (e) {
  out({ error: `the hub refused: ${e}` });
  process.exit(1);
}
out({ connected: deviceId });
