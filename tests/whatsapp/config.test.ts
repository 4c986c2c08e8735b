// WhatsApp settings in the one configuration schema.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../workers/config';

describe('WhatsApp configuration', () => {
  it('serves no number and captures WhatsApp messages by default, at a cautious pace', () => {
    expect(loadConfig({}).whatsapp).toEqual({ numbers: [], rateLimit: { perMinute: 10, perDay: 200, burst: 3 } });
    expect(loadConfig({ WHATSAPP_NUMBERS: '' }).whatsapp.numbers).toEqual([]);
  });

  it('reads the numbers served, the send number and the per-number limits', () => {
    const { whatsapp } = loadConfig({
      WHATSAPP_NUMBERS: ' ventas-mx, cobranza_2 ,',
      WHATSAPP_SEND_NUMBER: 'cobranza_2',
      WHATSAPP_PER_MINUTE: '2',
      WHATSAPP_PER_DAY: '50',
    });
    expect(whatsapp).toEqual({
      numbers: ['ventas-mx', 'cobranza_2'],
      sendNumber: 'cobranza_2',
      rateLimit: { perMinute: 2, perDay: 50, burst: 2 },
    });
  });

  it('names each bad variable', () => {
    const issues = (() => {
      try {
        loadConfig({
          WHATSAPP_NUMBERS: 'a,a',
          WHATSAPP_SEND_NUMBER: 'no spaces',
          WHATSAPP_PER_MINUTE: '0',
          WHATSAPP_PER_DAY: 'many',
        });
      } catch (err) {
        return err instanceof ConfigError ? err.issues : [];
      }
      return [];
    })();
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual([
      'WHATSAPP_NUMBERS',
      'WHATSAPP_PER_DAY',
      'WHATSAPP_PER_MINUTE',
      'WHATSAPP_SEND_NUMBER',
    ]);
  });
});
