// The console's keyboard shortcuts. None fires while the agent types in a field (the reply box handles its own
// keys: Enter sends, "/" opens canned replies), so typing an "a" or a "?" is never taken as a command.

function typingInField(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable='true'], [contenteditable='']"));
}

// handlers: {accept, next, help, close}
export function installShortcuts(handlers) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.key === "Escape") {
      // Esc leaves a field, so the shortcuts work again without reaching for the mouse.
      if (typingInField(event.target)) event.target.blur();
      handlers.close();
      return;
    }
    if (typingInField(event.target)) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      // By the key's place, not its character: Alt+A types "å" on a Mac.
      if (event.code === "KeyA") {
        event.preventDefault();
        handlers.accept();
      } else if (event.code === "KeyN" || event.code === "KeyJ") {
        event.preventDefault();
        handlers.next();
      }
      return;
    }
    if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      handlers.help();
    }
  });
}
