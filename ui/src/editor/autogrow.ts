// A textarea that grows with its text (and shrinks back), also when the window or zoom changes.
// Sets the height through the CSSOM, which the strict CSP allows (no inline style attribute).
export function autogrow(node: HTMLTextAreaElement, _value?: unknown) {
  let width = 0;
  const fit = (): void => {
    node.style.height = "auto";
    node.style.height = `${node.scrollHeight + 2}px`;
  };
  fit();
  node.addEventListener("input", fit);
  const ro = new ResizeObserver((entries) => {
    const w = entries[0]?.contentRect.width ?? 0;
    if (w !== width) {
      width = w;
      fit();
    }
  });
  ro.observe(node);
  return {
    update(_next?: unknown) {
      fit();
    },
    destroy() {
      node.removeEventListener("input", fit);
      ro.disconnect();
    },
  };
}
