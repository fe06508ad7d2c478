// A real SMTP server for the end-to-end tests (smtp-server from npm), with a
// tiny HTTP side to read what arrived: GET /messages?to=addr → JSON list.
import { SMTPServer } from 'smtp-server';
import http from 'node:http';

const smtpPort = Number(process.env.SINK_SMTP_PORT || 2525);
const httpPort = Number(process.env.SINK_HTTP_PORT || 2526);
const messages = [];

function decodeQuotedPrintable(s) {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    let raw = '';
    stream.on('data', (c) => (raw += c.toString('utf8')));
    stream.on('end', () => {
      const text = decodeQuotedPrintable(raw);
      const subject = (raw.match(/^Subject: (.*)$/m) || [])[1] || '';
      messages.push({
        from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        subject,
        text,
      });
      callback();
    });
  },
});
smtp.listen(smtpPort, '127.0.0.1');

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/health') return res.end('ok');
    const to = url.searchParams.get('to');
    const list = to ? messages.filter((m) => m.to.includes(to)) : messages;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(list));
  })
  .listen(httpPort, '127.0.0.1');
console.log(`mail sink: smtp ${smtpPort}, http ${httpPort}`);
