import { FakeSmtpServer } from '@sc/testing';
import { SmtpError, dotStuff, sendMail } from './smtp-client';

describe(sendMail.name, () => {
  let server: FakeSmtpServer;

  afterEach(async () => {
    await server?.stop();
  });

  const options = (port: number) => ({ host: '127.0.0.1', port, tls: 'none' as const, timeoutMs: 2000, clientName: 'notifier.test' });

  it('hands the message to the server with envelope sender and recipient, dots stuffed', async () => {
    server = await FakeSmtpServer.start();
    await sendMail(options(server.port), { from: 'a@sc.test', to: ['b@sc.test'] }, 'Subject: hi\r\n\r\nline one\n.hidden dot\nend');
    const mail = await server.waitFor(() => true, 1000);
    expect(mail.from).toBe('a@sc.test');
    expect(mail.to).toEqual(['b@sc.test']);
    expect(mail.data).toBe('Subject: hi\r\n\r\nline one\r\n.hidden dot\r\nend');
  });

  it('reports a 4xx reply as a transient failure', async () => {
    server = await FakeSmtpServer.start({ failDataTimes: 1 });
    const error = await sendMail(options(server.port), { from: 'a@sc.test', to: ['b@sc.test'] }, 'x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmtpError);
    expect((error as SmtpError).replyCode).toBe(451);
    expect((error as SmtpError).permanent).toBe(false);
  });

  it('reports a refused connection as a transient failure', async () => {
    server = await FakeSmtpServer.start();
    const port = server.port;
    await server.stop();
    const error = await sendMail(options(port), { from: 'a@sc.test', to: ['b@sc.test'] }, 'x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SmtpError);
    expect((error as SmtpError).permanent).toBe(false);
  });

  it('stuffs lines that begin with a dot', () => {
    expect(dotStuff('.a\n..b\nc')).toBe('..a\r\n...b\r\nc');
  });
});
