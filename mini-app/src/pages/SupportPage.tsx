import { useEffect, useState } from "react";
import { Button, Page, useNavigate } from "zmp-ui";
import { api } from "../api/client";
import { TopBar } from "../components/TopBar";
import { openOAChat } from "../zalo";

/** Hỗ trợ: how to file, where to go, who helps, and a chat with the Official Account. */
export default function SupportPage() {
  const navigate = useNavigate();
  const [oaId, setOaId] = useState("");
  useEffect(() => {
    api.appConfig().then(
      (c) => setOaId(c.oaId),
      () => setOaId(""),
    );
  }, []);
  return (
    <Page className="screen">
      <TopBar title="Hướng dẫn và hỗ trợ" />
      <section className="detail" aria-labelledby="howto">
        <h2 id="howto">Nộp hồ sơ trực tuyến trong 5 bước</h2>
        <ol>
          <li>Tìm thủ tục bạn cần.</li>
          <li>Điền thông tin người nộp và tờ khai.</li>
          <li>Chụp từng giấy tờ theo danh sách.</li>
          <li>Chọn cách nhận kết quả: tại bộ phận một cửa, qua bưu điện hoặc bản điện tử.</li>
          <li>Gửi hồ sơ, giữ mã hồ sơ để tra cứu; bạn sẽ nhận tin qua Zalo khi hồ sơ có tiến triển.</li>
        </ol>
        <Button fullWidth onClick={() => navigate("/search")}>
          Tìm thủ tục
        </Button>
      </section>
      <section className="detail" aria-labelledby="where">
        <h2 id="where">Nơi nộp trực tiếp</h2>
        <p>
          Thủ tục cấp xã: bộ phận một cửa (Trung tâm phục vụ hành chính công) của Ủy ban nhân dân xã, phường, đặc khu
          nơi bạn cư trú. Thủ tục cấp tỉnh: Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh.
        </p>
      </section>
      <section className="detail" aria-labelledby="helpers">
        <h2 id="helpers">Người hỗ trợ bạn</h2>
        <p>
          Cán bộ tại bộ phận một cửa và các tổ thanh niên hướng dẫn dịch vụ công ở thôn, khu phố có thể giúp bạn nộp hồ
          sơ trực tuyến, kể cả nộp thay khi bạn đồng ý.
        </p>
      </section>
      <section className="detail" aria-labelledby="chat">
        <h2 id="chat">Hỏi trợ lý Zalo</h2>
        <p>Nhắn cho Official Account để hỏi thủ tục, tra cứu hồ sơ, hoặc nhắn “gặp cán bộ” để được cán bộ trả lời.</p>
        <Button fullWidth variant="secondary" onClick={() => void openOAChat(oaId)}>
          Nhắn tin cho Dịch vụ công Quảng Ninh
        </Button>
      </section>
    </Page>
  );
}
