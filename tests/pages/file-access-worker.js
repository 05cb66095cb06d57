/* The worker file-access.html starts: says it ran. */
self.postMessage ('ran');
