// How the console writes timestamps: model DateTimeFields as naive ISO strings (the console runs
// with USE_TZ off), event times as "YYYY-MM-DD HH:MM:SS". Both in UTC here.

export function djangoDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');
}

export function consoleDateText(ms: number): string {
  return djangoDateTime(ms).replace('T', ' ');
}
