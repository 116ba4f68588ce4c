import { useState } from "react";
import { App, SnackbarProvider } from "zmp-ui";
import { ProcedureDetailPage } from "./pages/ProcedureDetailPage";
import { SearchPage } from "./pages/SearchPage";

/**
 * The mini-app's shell. Until the other screens land (issue 8) the app has two views, search and procedure detail,
 * switched in state: zmp-ui's router needs Zalo's base path to render outside Zalo (ZALO.md §7).
 */
export function AppShell() {
  const [code, setCode] = useState<string | undefined>();
  return (
    <App>
      <SnackbarProvider>
        {/* The search stays mounted so that the query and results are still there after "Quay lại". */}
        <div hidden={code !== undefined}>
          <SearchPage onOpen={setCode} />
        </div>
        {code !== undefined && <ProcedureDetailPage code={code} onBack={() => setCode(undefined)} />}
      </SnackbarProvider>
    </App>
  );
}
