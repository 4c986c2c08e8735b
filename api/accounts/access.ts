// Object-level access: an agent reaches only the accounts assigned to them; to them others do not exist.
import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/client';
import { accounts } from '../../db/schema';
import { notFound } from '../problem';

export async function loadAccountFor(db: Db, req: FastifyRequest, accountId: string) {
  const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
  if (!account || (req.principal?.role === 'agent' && account.assignedAgentId !== req.principal.agentId)) {
    throw notFound(`Account ${accountId}`);
  }
  return account;
}
