// What a JSON schema cannot say about a segmentation document: strategy ids that exist, unique rule
// ids, a challenger that differs from its champion, splits in hundredths, ranges the right way round.
import type { Segmentation, StrategyArms } from '../../strategies/index';
import type { FieldError } from '../problem';

const twoDecimals = (n: number) => Math.abs(Math.round(n * 100) - n * 100) < 1e-9;
const decimal = (s: string) => Number(s);

function checkArms(arms: StrategyArms, at: string, known: Set<string>, errors: FieldError[]): void {
  if (!known.has(arms.strategy))
    errors.push({ field: `${at}.strategy`, message: `unknown strategy "${arms.strategy}"` });
  const c = arms.challenger;
  if (!c) return;
  if (!known.has(c.strategy))
    errors.push({ field: `${at}.challenger.strategy`, message: `unknown strategy "${c.strategy}"` });
  else if (c.strategy === arms.strategy)
    errors.push({ field: `${at}.challenger.strategy`, message: 'must differ from the champion strategy' });
  if (!twoDecimals(c.percent))
    errors.push({ field: `${at}.challenger.percent`, message: 'takes at most two decimals' });
}

export function checkSegmentation(doc: Segmentation, known: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const ids = new Set<string>();
  doc.rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (ids.has(rule.id)) errors.push({ field: `${at}.id`, message: `duplicate rule id "${rule.id}"` });
    ids.add(rule.id);
    if (rule.id === 'default') errors.push({ field: `${at}.id`, message: '"default" names the fallback arms' });
    const w = rule.when;
    if (w.minBalance !== undefined && w.maxBalance !== undefined && decimal(w.minBalance) > decimal(w.maxBalance)) {
      errors.push({ field: `${at}.when.maxBalance`, message: 'must not be below minBalance' });
    }
    if (w.minDaysPastDue !== undefined && w.maxDaysPastDue !== undefined && w.minDaysPastDue > w.maxDaysPastDue) {
      errors.push({ field: `${at}.when.maxDaysPastDue`, message: 'must not be below minDaysPastDue' });
    }
    checkArms(rule, at, known, errors);
  });
  checkArms(doc.default, 'default', known, errors);
  return errors;
}
