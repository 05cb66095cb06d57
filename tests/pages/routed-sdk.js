/* The SDK of routed-subresources.html, served by the test under a host
 * only a route reaches: it paints the classroom, then sends event 1. */
window.AgoraEduSDK = {
  config () {},
  launch (dom, options) {
    dom.innerHTML = '<div style="width:100%;height:400px;background:#1f3b73"></div>';
    setTimeout (() => options.listener (1), 200);
    return Promise.resolve ();
  },
};
