// The link settings tests hand to activities they build themselves (the runtime resolves its own).
import type { LinkSettings } from '../../lib/links';

export const TEST_LINK_SIGNING_SECRET = 'test-link-signing-secret-0123456789abcdef';
export const testLinks: LinkSettings = { secret: TEST_LINK_SIGNING_SECRET, publicBaseUrl: 'http://127.0.0.1:3000' };
