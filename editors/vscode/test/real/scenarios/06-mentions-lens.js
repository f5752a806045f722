// The title of a note named in plain text elsewhere carries carnet's
// "N unlinked mentions" lens before its backlink lens, N the count of
// carnet.unlinkedMentions on the untouched vault (computed by tests/editors.rs
// from the library the server answers with). Clicking it lists them in the
// references view; the palette's "Show Unlinked Mentions of This Note" lists
// the same. The "Link all mentions" quick fix applied in the note that
// mentions it most links them, the lens then counts the rest, and carnet
// check finds what it found before. The vault is put back afterwards.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const lensTitle = (n) => (n === 1 ? '1 unlinked mention' : `${n} unlinked mentions`);

/** Opens the references list and checks it shows `want` locations, in `notes` only. */
async function listed(wb, want, notes, what) {
  const got = await wb.until(`the references view (${what})`, () => wb.peekReferenceCount('Locations'));
  if (got !== want) {
    throw new Error(`${what}: the references view lists ${got} locations; the command finds ${want}`);
  }
  const files = new Set(notes.map((n) => path.basename(n)));
  const shown = await wb.until(`files in the references view (${what})`, async () => {
    const f = await wb.peekReferenceFiles();
    return f.length > 0 ? f : null;
  });
  const stray = shown.filter((f) => !files.has(f));
  if (stray.length > 0) {
    throw new Error(`${what}: the references view lists ${stray.join(', ')}, which do not mention the note`);
  }
  await wb.page.keyboard.press('Escape');
  return shown.length;
}

module.exports = {
  title: 'the title lens reads "N unlinked mentions"; clicking it lists them; "Link all mentions" links them',
  async run({ wb, sc, say }) {
    const m = sc.vscode.mentions;
    const fix = m.fix;
    const fixed = wb.abs(fix.note);
    const text = fs.readFileSync(fixed, 'utf8');
    const before = wb.checkProblems();
    try {
      await wb.openNote(m.target);
      await wb.ready();
      const lens = await wb.codeLens(lensTitle(m.count));
      say(`the title lens of ${m.target} reads "${lensTitle(m.count)}" (${m.notes.length} notes)`);
      await lens.click();
      const files = await listed(wb, m.count, m.notes, 'the lens');
      say(`clicked, the references view lists the ${m.count} mentions (${files} of their notes in view)`);

      await wb.editorFocus();
      await wb.command('carnet: Show Unlinked Mentions of This Note');
      await listed(wb, m.count, m.notes, 'the palette command');
      say('"carnet: Show Unlinked Mentions of This Note" lists the same');

      await wb.openNote(fix.note).catch((err) => {
        throw new Error(`opening ${fix.note}: ${err.message}`);
      });
      // Served once its title's backlink lens is drawn (it may have no link on screen).
      await wb.until(`the title lens of ${fix.note}`, async () =>
        (await wb.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: /backlinks?$/ }).count()) > 0,
      60000);
      await wb.goTo(fix.line, fix.column + 2);
      await wb.command('Quick Fix...');
      await wb.chooseAction(fix.title).catch(async (err) => {
        const rows = await wb.page.locator('.action-widget .monaco-list-row').allTextContents();
        throw new Error(`no "${fix.title}" at ${fix.note}:${fix.line}:${fix.column + 2}; offered ${JSON.stringify(rows)} (${err.message})`);
      });
      await wb.saveAll();
      const name = path.basename(m.target, '.md');
      await wb.until(`${fix.note} to link ${name}`, () => wb.read(fix.note) !== text);
      const after = wb.read(fix.note);
      const links = after.split('[[').length - text.split('[[').length;
      if (links !== fix.count || (!after.includes(`${name}]]`) && !after.includes(`${name}|`))) {
        throw new Error(`${fix.note}: ${links} links to ${name} added, ${fix.count} mentions there`);
      }
      say(`"${fix.title}" in ${fix.note}: ${links} link(s) written`);

      const still = m.count - fix.count;
      await wb.openNote(m.target);
      if (still > 0) {
        await wb.codeLens(lensTitle(still));
      } else {
        await wb.until('the mentions lens to go', async () =>
          (await wb.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'unlinked mention' }).count()) === 0,
        );
      }
      say(`the lens follows: "${lensTitle(still)}"`);
      const now = wb.checkProblems();
      if (JSON.stringify(now) !== JSON.stringify(before)) {
        throw new Error(`carnet check before linking: ${JSON.stringify(before)}, after: ${JSON.stringify(now)}`);
      }
      say('carnet check finds what it found before');
    } finally {
      await wb.page.keyboard.press('Escape');
      await wb.closeAll();
      if (fs.readFileSync(fixed, 'utf8') !== text) fs.writeFileSync(fixed, text);
    }
  },
};
