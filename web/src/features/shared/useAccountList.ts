// Pages of GET /v1/accounts for the given filters (the cursor's next page on demand).
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { listQuery, type AccountFilters } from './accountFilters';

export function useAccountList(filters: AccountFilters, limit = 100) {
  return useInfiniteQuery({
    queryKey: ['accounts', filters, limit],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/accounts', {
          params: { query: { ...listQuery(filters), limit, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
