// A WhatsAppChannel that records sends and can fail, hang or lag on demand.
import type { InboundMessage, StatusUpdate, WhatsAppChannel, WhatsAppStatus } from '../../activities/whatsapp/channel';

export class FakeWhatsAppChannel implements WhatsAppChannel {
  readonly numberId: string;
  readonly sends: { to: string; text: string }[] = [];
  attempts = 0;
  delayMs = 0;
  private failures: Error[] = [];
  private gate: Promise<void> | null = null;
  private readonly inbound = new Set<(m: InboundMessage) => void>();
  private readonly statuses = new Set<(s: StatusUpdate) => void>();
  private seq = 0;

  constructor(numberId = 'fake') {
    this.numberId = numberId;
  }

  status(): WhatsAppStatus {
    return 'connected';
  }

  failNext(err: Error): void {
    this.failures.push(err);
  }

  /** Sends block until the returned function is called (a process stuck, or dead, inside the send). */
  hold(): () => void {
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      this.gate = null;
      open();
    };
  }

  async waitForSends(n: number): Promise<void> {
    while (this.sends.length < n) await new Promise((r) => setTimeout(r, 5));
  }

  async sendText(toE164: string, text: string): Promise<{ providerMessageId: string }> {
    this.attempts += 1;
    const failure = this.failures.shift();
    if (failure !== undefined) {
      // A failure mid-send counts as a send that may have left.
      if (failure.name !== 'WhatsAppSendError') this.sends.push({ to: toE164, text });
      throw failure;
    }
    this.sends.push({ to: toE164, text });
    if (this.gate) await this.gate;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    this.seq += 1;
    return { providerMessageId: `3EB0${this.numberId}${this.seq}${crypto.randomUUID().slice(0, 6)}`.toUpperCase() };
  }

  onInbound(cb: (m: InboundMessage) => void): () => void {
    this.inbound.add(cb);
    return () => this.inbound.delete(cb);
  }

  onStatus(cb: (s: StatusUpdate) => void): () => void {
    this.statuses.add(cb);
    return () => this.statuses.delete(cb);
  }

  emitInbound(m: InboundMessage): void {
    for (const cb of this.inbound) cb(m);
  }

  emitStatus(s: StatusUpdate): void {
    for (const cb of this.statuses) cb(s);
  }

  requestPairingCode(): Promise<string> {
    return Promise.resolve('ABCD1234');
  }

  currentQr(): string | null {
    return null;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
