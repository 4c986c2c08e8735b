// Address conversion and the mapping of Baileys events onto the channel's narrow types.
import { proto } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../../activities/whatsapp/adapter';
import { deliveryStatusOf, messageText } from '../../activities/whatsapp/baileys-mapping';
import { e164ToJid, jidToE164 } from '../../activities/whatsapp/jid';
import { normaliseE164 } from '../../lib/phone';
import { whatsappTaskQueue } from '../../activities/whatsapp/task-queue';

describe('jid ↔ E.164', () => {
  it('turns valid E.164 numbers into personal jids', () => {
    expect(e164ToJid('+525512345678')).toBe('525512345678@s.whatsapp.net');
    expect(e164ToJid('+54 9 11 2345-6789')).toBe('5491123456789@s.whatsapp.net');
    expect(e164ToJid('12345')).toBeNull();
    expect(normaliseE164(' +56 9 1234 5678 ')).toBe('+56912345678');
  });

  it('reads personal jids back, device suffix and Mexican "521" included', () => {
    expect(jidToE164('573001234567@s.whatsapp.net')).toBe('+573001234567');
    expect(jidToE164('573001234567:12@s.whatsapp.net')).toBe('+573001234567');
    expect(jidToE164('5215512345678@s.whatsapp.net')).toBe('+525512345678');
  });

  it('has no phone number for groups, broadcasts, LIDs or garbage', () => {
    expect(jidToE164('120363025246125486@g.us')).toBeNull();
    expect(jidToE164('status@broadcast')).toBeNull();
    expect(jidToE164('123456789012345@lid')).toBeNull();
    expect(jidToE164('not-a-jid')).toBeNull();
  });
});

describe('Baileys events', () => {
  const key = { id: 'ABC', fromMe: true, remoteJid: '525512345678@s.whatsapp.net' };

  it('maps message acks onto delivery statuses, ignoring other updates', () => {
    const S = proto.WebMessageInfo.Status;
    expect(deliveryStatusOf({ key, update: { status: S.SERVER_ACK } })).toEqual({
      providerMessageId: 'ABC',
      status: 'sent',
    });
    expect(deliveryStatusOf({ key, update: { status: S.DELIVERY_ACK } })?.status).toBe('delivered');
    expect(deliveryStatusOf({ key, update: { status: S.READ } })?.status).toBe('read');
    expect(deliveryStatusOf({ key, update: { status: S.PLAYED } })?.status).toBe('read');
    expect(deliveryStatusOf({ key, update: { status: S.ERROR } })?.status).toBe('failed');
    expect(deliveryStatusOf({ key, update: { status: S.PENDING } })).toBeNull();
    expect(deliveryStatusOf({ key, update: {} })).toBeNull();
    expect(deliveryStatusOf({ key: { ...key, fromMe: false }, update: { status: S.READ } })).toBeNull();
  });

  it('extracts the text a debtor typed or picked', () => {
    expect(messageText({ conversation: '1' })).toBe('1');
    expect(messageText({ extendedTextMessage: { text: 'prometo pagar el 15/12' } })).toBe('prometo pagar el 15/12');
    expect(messageText({ ephemeralMessage: { message: { conversation: 'BAJA' } } })).toBe('BAJA');
    expect(messageText({ buttonsResponseMessage: { selectedDisplayText: 'Pagar' } })).toBe('Pagar');
    expect(messageText({ imageMessage: { caption: undefined } })).toBeNull();
    expect(messageText({ conversation: '   ' })).toBeNull();
    expect(messageText(undefined)).toBeNull();
  });

  it('backs off exponentially up to a minute', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 5, 6, 10, 50].map((a) => reconnectDelayMs(a, mid))).toEqual([
      1000, 2000, 4000, 8000, 32_000, 60_000, 60_000, 60_000,
    ]);
    expect(reconnectDelayMs(20, () => 1)).toBe(60_000);
    expect(reconnectDelayMs(4, () => 1)).toBe(19_200);
    expect(reconnectDelayMs(0, () => 0)).toBe(800);
  });

  it('names one task queue per number', () => {
    expect(whatsappTaskQueue('mx-1')).toBe('whatsapp-mx-1');
  });
});
