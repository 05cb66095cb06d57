/* The workers of frame-requests.html: told their name, they call the routed
 * host with fetch (a Request built from a relative URL too) and
 * XMLHttpRequest (not in module workers' scope in every engine), and post
 * back what they got. */
self.onmessage = async function (event) {
  const name = String (event.data);
  const parts = [];
  try {
    const response = await fetch ('https://frames.invalid/' + name + '/fetch');
    parts.push ('fetch ' + response.status);
  } catch (e) {
    parts.push ('fetch failed');
  }
  try {
    const own = await fetch (new Request ('frame-requests-worker.js'));
    parts.push ('own script read');
  } catch (e) {
    parts.push ('own script failed');
  }
  if (typeof XMLHttpRequest === 'function') {
    const status = await new Promise ((resolve) => {
      const request = new XMLHttpRequest ();
      request.open ('GET', 'https://frames.invalid/' + name + '/xhr');
      request.onloadend = () => resolve (request.status);
      request.send ();
    });
    parts.push ('xhr ' + status);
  }
  self.postMessage (parts.join (', '));
};
