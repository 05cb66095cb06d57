/* An SDK whose launch throws a TypeError of its own, in this file: the
 * cause to name is that error and where it was thrown. */
window.AgoraEduSDK = {
  config: function () {},
  launch: function (dom, options) {
    const classroom = options.classroom;

    return classroom.mount (dom);
  },
};
