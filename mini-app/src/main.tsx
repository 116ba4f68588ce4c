import "zmp-ui/zaui.css";
import "./styles.css";
import { createRoot } from "react-dom/client";
import { AppShell } from "./AppShell";

const container = document.getElementById("app");
if (container) createRoot(container).render(<AppShell />);
