/* An SDK bundle that no page URL may make the bundled page load: it says so
 * if it runs, by asking for "report"/sdk-probe-ran (the page's parameter). */
(function () {
  var report = new URLSearchParams (location.search).get ('report');
  new Image ().src = report + 'sdk-probe-ran';
}) ();
