// Opens Chrome DevTools on a paused `bpf run --inspect`, sets a breakpoint on a C line by clicking its line
// number, resumes to it and saves a screenshot. Run by bin/devtools-screenshot,
// which says what it needs. Arguments: WS (HOST:PORT/PATH as the inspector prints it), LINE, OUTPUT.png.
const puppeteer = require('puppeteer-core');

const [ws, line, output] = process.argv.slice(2);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
    defaultViewport: {width: 1280, height: 800},
  });
  try {
    const page = await browser.newPage();
    await page.goto('devtools://devtools/bundled/js_app.html?ws=' + ws, {waitUntil: 'load', timeout: 60000});
    // The run waits at the program's first line; DevTools shows it once the source has loaded.
    const gutter = await findDeep(page, 'cm-gutterElement', line);
    await gutter.click();
    await sleep(500);
    await page.keyboard.press('F8'); // resume: the run stops at the breakpoint
    await findDeep(page, null, 'Paused on breakpoint');
    await sleep(1000); // the Scope pane fills in after the pause message
    await page.screenshot({path: output});
  } finally {
    await browser.close();
  }
})().catch(e => { console.error('devtools-screenshot: ' + e.message); process.exit(1); });

// DevTools draws inside shadow roots; this walks them to find an element (of a class, if given) by its text.
async function findDeep(page, cls, text) {
  const handle = await page.waitForFunction((c, t) => {
    const walk = root => {
      for (const e of root.querySelectorAll('*')) {
        if (e.textContent.trim() === t && (c ? e.classList.contains(c) : ![...e.children].some(child => child.textContent.trim() === t))) return e;
        if (e.shadowRoot) { const f = walk(e.shadowRoot); if (f) return f; }
      }
      return null;
    };
    return walk(document);
  }, {timeout: 60000, polling: 200}, cls, text);
  return handle.asElement();
}
