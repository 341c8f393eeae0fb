// GET /: a small page where a person drops or picks an image and sees the top classes with
// score bars. Everything is inline (no external scripts, styles, fonts or images); it posts the
// file to POST /v1/classify and draws the JSON record.
#include "server/routes.h"

namespace labelite::server {

namespace {

constexpr const char* kPageHead = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>labelite</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
  main { max-width: 760px; margin: 32px auto; padding: 0 16px; }
  h1 { font-size: 24px; margin: 0 0 16px; }
  #drop { border: 3px dashed #8a94a6; border-radius: 12px; background: #fff; padding: 28px;
          text-align: center; cursor: pointer; }
  #drop.over { border-color: #2f6fde; background: #eaf1ff; }
  #row { display: flex; gap: 20px; margin-top: 20px; align-items: flex-start; }
  #preview { max-width: 240px; max-height: 240px; border-radius: 8px; display: none; }
  #results { flex: 1; }
  .cls { margin: 0 0 10px; }
  .name { display: flex; justify-content: space-between; font-size: 15px; }
  .bar { height: 14px; background: #dde2ea; border-radius: 7px; overflow: hidden; }
  .fill { height: 100%; background: #2f6fde; }
  #error { color: #b3261e; font-weight: 600; }
  select { font-size: 15px; margin-left: 8px; }
</style></head>
<body><main>
<h1>labelite: what is in this image?</h1>
<p><label>Model<select id="model"></select></label></p>
<div id="drop">Drop an image here, or click to pick one
  <input id="file" type="file" accept="image/*" hidden></div>
<div id="row"><img id="preview" alt="the image you chose"><div id="results"></div></div>
<p id="error"></p>
<script>
)HTML";

constexpr const char* kPageScript = R"HTML(
const drop = document.getElementById('drop'), input = document.getElementById('file');
const select = document.getElementById('model'), results = document.getElementById('results');
const errorBox = document.getElementById('error'), preview = document.getElementById('preview');
for (const m of MODELS) {
  const o = document.createElement('option');
  o.value = m.name; o.textContent = m.name + ' (' + m.file + ', ' + m.classes + ' classes)';
  select.appendChild(o);
}
drop.addEventListener('click', () => input.click());
drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', e => {
  e.preventDefault(); drop.classList.remove('over');
  if (e.dataTransfer.files.length) classify(e.dataTransfer.files[0]);
});
input.addEventListener('change', () => { if (input.files.length) classify(input.files[0]); });
async function classify(file) {
  errorBox.textContent = ''; results.textContent = 'Classifying ' + file.name + '...';
  preview.src = URL.createObjectURL(file); preview.style.display = 'block';
  const form = new FormData(); form.append('file', file, file.name);
  try {
    const r = await fetch('/v1/classify?top_k=5&model=' + encodeURIComponent(select.value),
                          {method: 'POST', body: form});
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
    show(j);
  } catch (e) { results.textContent = ''; errorBox.textContent = e.message; }
}
function show(record) {
  results.textContent = '';
  for (const c of record.results) {
    const div = document.createElement('div'); div.className = 'cls';
    const name = document.createElement('div'); name.className = 'name';
    const label = document.createElement('span'); label.textContent = c.display_name || c.label;
    const score = document.createElement('span'); score.textContent = (100 * c.score).toFixed(1) + '%';
    name.append(label, score);
    const bar = document.createElement('div'); bar.className = 'bar';
    const fill = document.createElement('div'); fill.className = 'fill';
    fill.style.width = Math.max(0, Math.min(100, 100 * c.score)) + '%';
    bar.appendChild(fill); div.append(name, bar); results.appendChild(div);
  }
  results.dataset.done = '1';
}
</script></main></body></html>
)HTML";

std::string Page(const Context& ctx) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& [name, pool] : ctx.models)
    models.push_back({{"name", name}, {"file", pool->file_name()},
                      {"classes", pool->summary().num_classes.empty() ? 0 : pool->summary().num_classes[0]}});
  std::string data = models.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);  // ASCII only
  std::string safe;
  for (char c : data) safe += c == '<' ? std::string("\\u003c") : std::string(1, c);  // no "</script>"
  return std::string(kPageHead) + "const MODELS = " + safe + ";" + kPageScript;
}

}  // namespace

void AddPageRoutes(httplib::Server& http, Context& ctx) {
  http.Get("/", Route(ctx, "page", [&ctx](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
    res.set_content(Page(ctx), "text/html; charset=utf-8");
  }));
}

}  // namespace labelite::server
