import { describe, expect, it } from 'vitest';
import { deliveryStatusAdvances } from '../../lib/email/delivery-status';

const at = (iso: string) => new Date(iso);

describe('a message status only moves forward', () => {
  it('takes the first status it hears', () => {
    expect(
      deliveryStatusAdvances({ status: null, at: null }, { status: 'delivered', at: at('2026-01-01T00:00:00Z') }),
    ).toBe(true);
  });
  it('keeps "opened" when a late "delivered" arrives, and takes "clicked" after it', () => {
    const opened = { status: 'opened', at: at('2026-01-01T10:05:00Z') };
    expect(deliveryStatusAdvances(opened, { status: 'delivered', at: at('2026-01-01T10:00:00Z') })).toBe(false);
    expect(deliveryStatusAdvances(opened, { status: 'delivered', at: at('2026-01-01T11:00:00Z') })).toBe(false);
    expect(deliveryStatusAdvances(opened, { status: 'clicked', at: at('2026-01-01T10:01:00Z') })).toBe(true);
  });
  it('lets a complaint outrank everything and a bounce outrank delivery', () => {
    expect(
      deliveryStatusAdvances(
        { status: 'clicked', at: at('2026-01-01T10:00:00Z') },
        { status: 'complained', at: at('2026-01-01T09:00:00Z') },
      ),
    ).toBe(true);
    expect(
      deliveryStatusAdvances({ status: 'delivered', at: null }, { status: 'bounced', at: at('2026-01-01T09:00:00Z') }),
    ).toBe(true);
    expect(
      deliveryStatusAdvances({ status: 'complained', at: null }, { status: 'bounced', at: at('2026-01-01T09:00:00Z') }),
    ).toBe(false);
  });
  it('between "sent" and "delayed" the later event wins', () => {
    const sent = { status: 'sent', at: at('2026-01-01T10:00:00Z') };
    expect(deliveryStatusAdvances(sent, { status: 'delayed', at: at('2026-01-01T10:30:00Z') })).toBe(true);
    expect(deliveryStatusAdvances(sent, { status: 'delayed', at: at('2026-01-01T09:30:00Z') })).toBe(false);
  });
});
