"""Value flow: where the event, the context and other tracked values go inside a
function, and what is known about them where they are used."""
