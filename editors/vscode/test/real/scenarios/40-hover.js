// Hover on a link shows the target's preview, its wiki-links and embeds as
// their display text linked to where they lead, not as raw `[[...]]`.
'use strict';

module.exports = {
  title: 'hover shows the preview, links as their display text',
  async run({ wb, sc, say }) {
    const h = sc.vscode.hover;
    await wb.atLink(sc.source, sc.link);
    await wb.command('Show or Focus Hover');
    const shown = await wb.hover(h.links[0].text);
    if (/\[\[|!\[\[/.test(shown.text)) {
      throw new Error(`the preview shows raw wiki-links: ${shown.text.slice(0, 300)}`);
    }
    for (const l of h.links) {
      const a = shown.links.find((x) => x.text === l.text);
      if (!a) {
        throw new Error(`no link "${l.text}" in the hover; links: ${JSON.stringify(shown.links)}`);
      }
      if (!decodeURIComponent(a.href).split('#')[0].endsWith(`/${l.path}`)) {
        throw new Error(`"${l.text}" leads to ${a.href}, not ${l.path}`);
      }
    }
    say(`preview of ${sc.target}: ${h.links.map((l) => `"${l.text}"`).join(', ')} linked to their notes`);
    await wb.page.keyboard.press('Escape');
    await wb.closeAll();
  },
};
