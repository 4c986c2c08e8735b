import { problemResponses } from './common';

const numberId = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$',
  description: 'the id WHATSAPP_NUMBERS and WHATSAPP_SEND_NUMBER name',
} as const;

const numberView = {
  type: 'object',
  required: ['id', 'status', 'qr', 'pairingCode', 'phone', 'pairingRequested', 'pairingError', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    status: {
      type: 'string',
      description: 'unpaired, pairing, connected or logged_out, as the process holding the socket last wrote it',
    },
    qr: {
      type: ['string', 'null'],
      description: 'the current pairing QR (render it, or read it in the worker terminal in development)',
    },
    pairingCode: {
      type: ['string', 'null'],
      description: 'type it on the phone: WhatsApp → Linked devices → Link with phone number',
    },
    phone: { type: ['string', 'null'], description: 'E.164 of the paired (or being paired) phone' },
    pairingRequested: {
      type: 'boolean',
      description: 'a pairing-code request waits for the process holding the socket',
    },
    pairingError: { type: ['string', 'null'] },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const params = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: numberId } } as const;

export const registerNumberSchema = {
  tags: ['whatsapp'],
  summary: 'Register a WhatsApp sender number; a worker with it in WHATSAPP_NUMBERS opens its socket.',
  body: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: numberId } },
  response: { 200: numberView, 201: numberView, ...problemResponses(400, 401, 403) },
} as const;

export const getNumberSchema = {
  tags: ['whatsapp'],
  summary: "A number's pairing state: poll it for the QR or the pairing code.",
  params,
  response: { 200: numberView, ...problemResponses(400, 401, 403, 404) },
} as const;

export const requestPairingCodeSchema = {
  tags: ['whatsapp'],
  summary: 'Ask for a pairing code for the phone that will hold this number; poll GET for the code.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['phone'],
    properties: { phone: { type: 'string', minLength: 8, maxLength: 20, description: 'E.164, e.g. +525512345678' } },
  },
  response: { 202: numberView, ...problemResponses(400, 401, 403, 404, 409) },
} as const;
