// Time zones that make a contact window open right now, wherever and whenever the test runs.

/** A fixed-offset zone where it is early afternoon now: the US pack's window (every day 08–21) is open. */
export function afternoonZone(): string {
  let offset = 14 - new Date().getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}
