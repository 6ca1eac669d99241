#!/usr/bin/env node
// Read an iCalendar file with one of two JavaScript parsers and print its events as JSON.
//
//   node parse.mjs icaljs|node-ical [FILE] [--from ISO] [--to ISO] [--budget N]
//   node parse.mjs icaljs|node-ical --many MANIFEST
//
// The file comes from FILE or, without one, from standard input. The output is a JSON list of
// {uid, recurrence_id, summary, status, start, end, all_day, floating, sequence, location,
// description}: timed values are UTC instants ("2026-07-09T23:00:00Z"), all-day values dates
// ("2026-07-06", end exclusive); sequence is a number or null.
//
// With --many, one process reads several files (node's start-up is most of the time a small
// file takes). MANIFEST is a JSON file, or - for standard input, listing
// [{"file": PATH, "from": ISO or null, "to": ISO or null}, ...]; the output is a JSON object
// keyed by PATH, each value {"events": [...]} as above or {"error": "the parser's message"}.
// The exit status is then 0 even when some files fail: each says so in its own entry.
// With --budget N, expanding more than N occurrences in all (counting those skipped before
// --from) stops the reading: exit status 3, as the file is too big to read.
// Recurring events give one record per occurrence, recurrence_id being its original start;
// occurrences are those starting in [--from, --to) (give both or neither), or else the first
// 5000 of each series.
//
// ical.js (Thunderbird) is given no time zone but the file's own VTIMEZONEs, so a TZID without
// one comes out floating, as in Thunderbird. Floating times are reported as if they were UTC,
// with floating: true.
//
// The packages are looked up in $FEEDS_NODE_MODULES, then in the repository's node_modules.
// Exit status: 0 with JSON on stdout; 1 when the parser fails; 2 on bad usage or setup;
// 3 when the --budget is spent.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CAP = 5000;
const SLACK_MS = 7 * 24 * 3600 * 1000; // a window also expands this far around it, for moved ones
const PACKAGES = { icaljs: 'ical.js', 'node-ical': 'node-ical' };

class BudgetSpent extends Error {}

// Occurrences left to expand (--budget); Infinity without one.
const budget = { left: Infinity };

function charge(count = 1) {
  budget.left -= count;
  if (budget.left < 0) throw new BudgetSpent(`the feed expands to more occurrences than the budget`);
}

function fail(status, message) {
  process.stderr.write(`${message}\n`);
  process.exit(status);
}

function parseArgs(argv) {
  const args = { parser: null, file: null, from: null, to: null, many: null, budget: null };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--from' || arg === '--to') {
      const ms = Date.parse(argv[i + 1] ?? '');
      if (Number.isNaN(ms)) fail(2, `${arg} needs an ISO date or date-time`);
      args[arg.slice(2)] = ms;
      i += 1;
    } else if (arg === '--budget') {
      const count = Number.parseInt(argv[i + 1] ?? '', 10);
      if (!(count >= 0)) fail(2, '--budget needs a number of occurrences');
      args.budget = count;
      i += 1;
    } else if (arg === '--many') {
      if (argv[i + 1] === undefined) fail(2, '--many needs a manifest file, or - for standard input');
      args.many = argv[i + 1];
      i += 1;
    } else if (args.parser === null) {
      args.parser = arg;
    } else if (args.file === null) {
      args.file = arg;
    } else {
      fail(2, `unexpected argument ${arg}`);
    }
  }
  if ((args.from === null) !== (args.to === null)) fail(2, '--from and --to go together');
  if (args.many !== null && (args.file !== null || args.from !== null)) {
    fail(2, '--many takes its files and windows from the manifest');
  }
  if (!(args.parser in PACKAGES)) {
    fail(2, `usage: parse.mjs ${Object.keys(PACKAGES).join('|')} [FILE] [--from ISO] [--to ISO]`
      + ' | --many MANIFEST');
  }
  return args;
}

function nodeModules() {
  const here = fileURLToPath(new URL('../../node_modules', import.meta.url));
  return [process.env.FEEDS_NODE_MODULES, here].filter(Boolean);
}

async function load(name) {
  for (const dir of nodeModules()) {
    const manifest = join(dir, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    const exp = pkg.exports;
    const entry = (typeof exp === 'string' ? exp : exp?.import ?? exp?.['.']?.import)
      ?? pkg.main ?? 'index.js';
    const module = await import(pathToFileURL(join(dir, name, entry)).href);
    return module.default ?? module;
  }
  return fail(2, `npm package ${name} not found in ${nodeModules().join(' or ')}: run npm ci`);
}

const pad = (n, width = 2) => String(n).padStart(width, '0');
const ymd = (y, m, d) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
const instant = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

// Where a record sits on the time line, for the --from/--to window: dates count from UTC midnight.
function startMs(value) {
  return value.length === 10 ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
}

function inWindow(record, args) {
  const ms = startMs(record.start);
  return args.from === null || (ms >= args.from && ms < args.to);
}

// --- ical.js ---------------------------------------------------------------------------------

function icaljsValue(time) {
  if (!time) return null;
  return time.isDate ? ymd(time.year, time.month, time.day) : instant(time.toUnixTime() * 1000);
}

function icaljsRecord(ICAL, item, recurrenceId, start, end) {
  const isFloating = (t) => Boolean(t) && !t.isDate && t.zone === ICAL.Timezone.localTimezone;
  return {
    uid: item.uid,
    recurrence_id: recurrenceId ? icaljsValue(recurrenceId) : null,
    summary: item.summary ?? null,
    status: item.component.getFirstPropertyValue('status') ?? null,
    start: icaljsValue(start),
    end: icaljsValue(end),
    all_day: Boolean(start?.isDate),
    floating: isFloating(start) || isFloating(end),
    sequence: item.sequence ?? null,
    location: item.location ?? null,
    description: item.description ?? null,
  };
}

// The iterator skips DTSTART of a series made of RDATEs alone (ical.js PR #534; Thunderbird
// expands RDATEs itself and shows DTSTART), so DTSTART is put back unless an EXDATE removes it.
function* icaljsOccurrences(event) {
  const iterator = event.iterator();
  const component = event.component;
  if (component.hasProperty('rdate') && !component.hasProperty('rrule')) {
    const start = event.startDate;
    const excluded = component.getAllProperties('exdate')
      .flatMap((property) => property.getValues())
      .some((time) => time.compare(start) === 0);
    let next = iterator.next();
    if (!excluded && (!next || next.compare(start) !== 0)) yield start.clone();
    if (next) yield next;
  }
  for (let next = iterator.next(); next; next = iterator.next()) yield next;
}

function readIcaljs(ICAL, input, args) {
  const jcal = ICAL.parse(input);
  const roots = typeof jcal[0] === 'string' ? [jcal] : jcal;
  const records = [];
  for (const root of roots) {
    const vevents = new ICAL.Component(root).getAllSubcomponents('vevent');
    const exceptions = vevents.filter((c) => c.hasProperty('recurrence-id'));
    const masters = vevents.filter((c) => !c.hasProperty('recurrence-id'));
    const masterUids = new Set(masters.map((c) => c.getFirstPropertyValue('uid')));
    for (const component of masters) {
      const uid = component.getFirstPropertyValue('uid');
      const own = exceptions.filter((c) => c.getFirstPropertyValue('uid') === uid);
      const event = new ICAL.Event(component, { exceptions: own });
      if (!event.isRecurring()) {
        records.push(icaljsRecord(ICAL, event, null, event.startDate, event.endDate));
        continue;
      }
      let emitted = 0;
      for (const next of icaljsOccurrences(event)) {
        charge();
        const ms = next.toUnixTime() * 1000;
        if (args.to !== null && ms >= args.to + SLACK_MS) break;
        if (args.from !== null && ms < args.from - SLACK_MS) continue;
        if (emitted >= CAP) break;
        const details = event.getOccurrenceDetails(next);
        records.push(icaljsRecord(ICAL, details.item, next, details.startDate, details.endDate));
        emitted += 1;
      }
    }
    // An exception whose series is missing still stands for itself.
    for (const component of exceptions) {
      if (masterUids.has(component.getFirstPropertyValue('uid'))) continue;
      const event = new ICAL.Event(component);
      records.push(icaljsRecord(ICAL, event, event.recurrenceId, event.startDate, event.endDate));
    }
  }
  return records;
}

// --- node-ical -------------------------------------------------------------------------------

// node-ical falls back to local time (UTC here) for a TZID it cannot resolve, and says nothing.
function zoneKnown(tz) {
  if (/^[+-]\d{2}:?\d{2}$/.test(tz)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function nodeicalValue(date) {
  if (!(date instanceof Date)) return null;
  // Dates are local midnights; the caller runs node with TZ=UTC but local getters are right anyway.
  if (date.dateOnly) return ymd(date.getFullYear(), date.getMonth() + 1, date.getDate());
  return instant(date.getTime());
}

function nodeicalFloating(date) {
  return date instanceof Date && !date.dateOnly && (!date.tz || !zoneKnown(date.tz));
}

const plain = (value) => (value && typeof value === 'object' ? value.val : value) ?? null;

function sequenceNumber(value) {
  const number = Number.parseInt(value, 10);
  return Number.isNaN(number) ? null : number;
}

function nodeicalRecord(event, recurrenceId, start, end) {
  return {
    uid: plain(event.uid),
    recurrence_id: recurrenceId ? nodeicalValue(recurrenceId) : null,
    summary: plain(event.summary),
    status: plain(event.status),
    start: nodeicalValue(start),
    end: nodeicalValue(end),
    all_day: Boolean(start?.dateOnly),
    floating: nodeicalFloating(start) || nodeicalFloating(end),
    sequence: sequenceNumber(plain(event.sequence)),
    location: plain(event.location),
    description: plain(event.description),
  };
}

const YEAR_MS = 366 * 24 * 3600 * 1000;

// node-ical expands a series only within a range. With a window that is the window; without
// one, it reaches the last of the rule's first CAP dates, and occurrences are cut by original date.
function nodeicalRange(event, args) {
  if (args.from !== null) {
    const [from, to] = [new Date(args.from - SLACK_MS), new Date(args.to + SLACK_MS)];
    return { from, to, last: Infinity };
  }
  const dates = event.rrule.all((_, i) => i < CAP);
  if (dates.length === 0) return null;
  const last = dates[dates.length - 1].getTime();
  const first = Math.min(dates[0], event.start);
  return { from: new Date(first - YEAR_MS), to: new Date(last + YEAR_MS), last };
}

// Charge what expanding ``range`` will make before node-ical makes it all at once: counting
// stops one past the budget, so a SECONDLY rule over two years costs no more than the budget.
function chargeRange(event, range) {
  if (budget.left === Infinity) return;
  const limit = budget.left + 1;
  charge(event.rrule.between(range.from, range.to, true, (_, i) => i < limit).length);
}

function readNodeical(ical, input, args) {
  const records = [];
  for (const event of Object.values(ical.sync.parseICS(input))) {
    if (event.type !== 'VEVENT') continue;
    if (!event.rrule) {
      records.push(nodeicalRecord(event, event.recurrenceid, event.start, event.end));
      continue;
    }
    const range = nodeicalRange(event, args);
    if (range === null) continue;
    chargeRange(event, range);
    for (const occurrence of ical.expandRecurringEvent(event, range)) {
      const original = occurrence.isOverride ? occurrence.event.recurrenceid : occurrence.start;
      if (original.getTime() > range.last) continue;
      records.push(nodeicalRecord(occurrence.event, original, occurrence.start, occurrence.end));
    }
  }
  return records;
}

// --- main ------------------------------------------------------------------------------------

function readText(library, parser, input, args) {
  const read = parser === 'icaljs' ? readIcaljs : readNodeical;
  const records = read(library, input, args).filter((record) => inWindow(record, args));
  records.sort((a, b) => startMs(a.start) - startMs(b.start) || String(a.uid).localeCompare(b.uid));
  return records;
}

function readManifest(path) {
  let entries;
  try {
    entries = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
  } catch (error) {
    return fail(2, `cannot read the manifest ${path}: ${error.message}`);
  }
  if (!Array.isArray(entries) || entries.some((e) => typeof e?.file !== 'string')) {
    fail(2, 'the manifest is a JSON list of {"file": PATH, "from": ISO|null, "to": ISO|null}');
  }
  return entries.map((entry) => {
    const window = { from: null, to: null };
    for (const end of ['from', 'to']) {
      if (entry[end] === null || entry[end] === undefined) continue;
      const ms = Date.parse(entry[end]);
      if (Number.isNaN(ms)) fail(2, `${entry.file}: "${end}" needs an ISO date or date-time`);
      window[end] = ms;
    }
    if ((window.from === null) !== (window.to === null)) fail(2, `${entry.file}: from and to go together`);
    return { file: entry.file, ...window };
  });
}

const args = parseArgs(process.argv.slice(2));
if (args.budget !== null) budget.left = args.budget;
const library = await load(PACKAGES[args.parser]);
if (args.many !== null) {
  const results = {};
  for (const entry of readManifest(args.many)) {
    try {
      results[entry.file] = { events: readText(library, args.parser, readFileSync(entry.file, 'utf8'), entry) };
    } catch (error) {
      results[entry.file] = { error: String(error?.message ?? error) };
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
} else {
  let input;
  try {
    input = readFileSync(args.file ?? 0, 'utf8');
  } catch (error) {
    fail(2, `cannot read ${args.file ?? 'standard input'}: ${error.message}`);
  }
  let records;
  try {
    records = readText(library, args.parser, input, args);
  } catch (error) {
    fail(error instanceof BudgetSpent ? 3 : 1, String(error?.message ?? error));
  }
  process.stdout.write(`${JSON.stringify(records, null, 1)}\n`);
}
