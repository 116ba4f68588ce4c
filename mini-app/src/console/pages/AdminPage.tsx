import { PageHeader } from "../common";

export default function AdminPage() {
  return <PageHeader title="AdminPage" />;
}
