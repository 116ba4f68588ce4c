import { PageHeader } from "../common";

export default function SupportPage() {
  return <PageHeader title="SupportPage" />;
}
