// Telling an agent a case arrived while they look elsewhere: a short chime made with WebAudio (no sound file is
// fetched) and, once they allowed it with the button, a browser notification. Nothing is asked on load.

let audio = null;

// Browsers let a page play sound only after a gesture: called on the first click or key press.
export function unlockSound() {
  if (!audio && typeof AudioContext === "function") {
    try {
      audio = new AudioContext();
    } catch (error) {
      audio = null;
    }
  }
  if (audio && audio.state === "suspended") audio.resume().catch(() => {});
}

// Two short rising tones, quiet enough not to startle.
export function chime() {
  if (!audio) return false;
  const start = audio.currentTime + 0.01;
  [660, 880].forEach((frequency, i) => {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + i * 0.16);
    gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.16 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.16 + 0.15);
    tone.connect(gain).connect(audio.destination);
    tone.start(start + i * 0.16);
    tone.stop(start + i * 0.16 + 0.16);
  });
  return true;
}

export function notificationsSupported() {
  return typeof Notification === "function";
}

export function notificationsAllowed() {
  return notificationsSupported() && Notification.permission === "granted";
}

export async function askForNotifications() {
  if (!notificationsSupported()) return "unsupported";
  return Notification.requestPermission();
}

// A case arrived: chime and notify, only while the console is not the tab being looked at.
export function caseArrived(summary, onClick) {
  if (document.visibilityState === "visible") return false;
  chime();
  if (notificationsAllowed()) {
    const who = summary.customer || "Unverified customer";
    const note = new Notification(`New case in ${summary.queue}`, {
      body: `${who} · ${String(summary.reason || "").replace(/_/g, " ")}${summary.priority && summary.priority !== "normal" ? ` · ${summary.priority}` : ""}`,
      tag: summary.case_id,
    });
    note.onclick = () => {
      window.focus();
      onClick(summary.case_id);
      note.close();
    };
  }
  return true;
}
