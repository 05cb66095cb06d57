/* A script with a body, for the HAR's sizes and MIME type. */
window.harScriptRan = 'script ran';
