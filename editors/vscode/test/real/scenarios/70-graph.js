// "carnet: Show Graph" on a note: the graph view opens beside it and draws
// the note's local graph (exactly the notes it links with, by the ground
// truth); clicking a node opens that note, and the view follows the active
// editor.
'use strict';
const path = require('node:path');

module.exports = {
  title: 'the graph view opens beside the note, draws its links, opens a clicked note and follows the editor',
  async run({ wb, sc, say }) {
    const [first, clicked, opened] = sc.vscode.graph;
    await wb.openNote(first.note);
    await wb.ready();
    await wb.command('carnet: Show Graph');
    const frame = await wb.graphFrame();
    const shown = await wb.graphOf(frame, first.note, first.nodes);
    // Beside the note: the view in a group of its own, right of the note's.
    const groups = await wb.editorGroups();
    const note = groups.findIndex((tabs) => tabs.some((t) => t.name === path.basename(first.note)));
    const view = groups.findIndex((tabs) => tabs.some((t) => t.label === 'carnet: Graph'));
    if (note < 0 || view !== note + 1) {
      throw new Error(`the graph view is not beside the note: the groups hold ${JSON.stringify(groups)}`);
    }
    say(`beside ${first.note}: ${shown.status}, the ${first.nodes.length} notes of its links`);
    // A click on a neighbour opens it in the note's group; the view follows.
    await wb.clickGraphNode(frame, clicked.note);
    await wb.until(`${clicked.note} open in the editor`, async () => (await wb.activeTab()) === path.basename(clicked.note));
    const after = await wb.editorGroups();
    if (!after[note].some((t) => t.name === path.basename(clicked.note))) {
      throw new Error(`${clicked.note} did not open beside the graph: the groups hold ${JSON.stringify(after)}`);
    }
    await wb.graphOf(frame, clicked.note, clicked.nodes);
    say(`a click on ${clicked.note} opened it, and the view drew its ${clicked.nodes.length} notes`);
    // Another note from Quick Open: the view follows the active editor.
    await wb.openNote(opened.note);
    await wb.graphOf(frame, opened.note, opened.nodes);
    say(`opening ${opened.note} redrew the view around it (${opened.nodes.length} notes)`);
    await wb.closeAll();
  },
};
